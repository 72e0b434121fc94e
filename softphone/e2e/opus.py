"""libopus called directly (ctypes), at the bridge's rate: one C call per 20 ms frame.

Through PyAV, each frame is wrapped in an av.AudioFrame, passed through a filter graph
that re-cuts it to the encoder's frame size (and raises EAGAIN, with a traceback, on
every call), and decoding only gives 48 kHz (FFmpeg's libopus decoder has no other
rate), which then had to be brought down to the bridge's 16 kHz in numpy. libopus
itself encodes and decodes at 8, 12, 16, 24 or 48 kHz: here the bridge's 20 ms frame
goes in as it is and comes out as it is (measured, in a loop: encode 97 µs a frame
through PyAV, 65-80 directly; decode and resampling 50, decode 18).

The library is the one PyAV ships (its wheels bundle libopus, so it is there wherever
PyAV is; this is the same file its FFmpeg uses), or else the system's. `available()`
says whether one was found; without one, the callers keep PyAV's codec (`media`).
The settings are those FFmpeg gave it through PyAV: "voip", 32 kbit/s, mono,
complexity 10.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import logging
import os
import threading

log = logging.getLogger(__name__)

RATES = (8000, 12000, 16000, 24000, 48000)  # what libopus encodes and decodes at
APPLICATION_VOIP = 2048
_SET_BITRATE = 4002
_SET_COMPLEXITY = 4010
_OK = 0
MAX_PACKET = 1500
MAX_FRAME_MS = 120  # the longest an Opus packet can hold

_lock = threading.Lock()
_lib: ctypes.PyDLL | None = None
_tried = False


def _candidates() -> list[str]:
    paths: list[str] = []
    try:
        import av

        package = os.path.dirname(av.__file__)
        for pattern in (
            os.path.join(os.path.dirname(package), "av.libs", "*opus*"),  # Linux, Windows wheels
            os.path.join(package, ".dylibs", "*opus*"),  # macOS wheels
            os.path.join(package, "*opus*.dll"),
        ):
            paths += sorted(glob.glob(pattern))
    except ImportError:
        pass
    system = ctypes.util.find_library("opus")
    if system:
        paths.append(system)
    return paths


def _bind(lib: ctypes.PyDLL) -> None:
    c_void_p, c_int, c_char_p = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    lib.opus_encoder_create.restype = c_void_p
    lib.opus_encoder_create.argtypes = [ctypes.c_int32, c_int, c_int, ctypes.POINTER(c_int)]
    lib.opus_decoder_create.restype = c_void_p
    lib.opus_decoder_create.argtypes = [ctypes.c_int32, c_int, ctypes.POINTER(c_int)]
    lib.opus_encode.restype = ctypes.c_int32
    lib.opus_encode.argtypes = [c_void_p, c_char_p, c_int, c_char_p, ctypes.c_int32]
    lib.opus_decode.restype = c_int
    lib.opus_decode.argtypes = [c_void_p, c_char_p, ctypes.c_int32, c_void_p, c_int, c_int]
    # variadic: only the fixed arguments are declared, so ctypes passes the value the
    # variadic way (it differs from a fixed argument on some ABIs, Apple's arm64)
    lib.opus_encoder_ctl.restype = c_int
    lib.opus_encoder_ctl.argtypes = [c_void_p, c_int]
    lib.opus_encoder_destroy.restype = None
    lib.opus_encoder_destroy.argtypes = [c_void_p]
    lib.opus_decoder_destroy.restype = None
    lib.opus_decoder_destroy.argtypes = [c_void_p]


def library() -> ctypes.PyDLL | None:
    """libopus, loaded once (any thread); None when there is none to be had."""
    global _lib, _tried
    with _lock:
        if not _tried:
            _tried = True
            for path in _candidates():
                try:
                    # PyDLL: the calls keep the GIL. Each is 20-150 µs, and giving the
                    # GIL up and taking it back around it costs more, in thread switches
                    # when another thread is waiting for it, than the others wait.
                    lib = ctypes.PyDLL(path)
                    _bind(lib)
                except (OSError, AttributeError) as e:
                    log.debug("libopus at %s not usable: %s", path, e)
                    continue
                _lib = lib
                break
            else:
                log.info("no libopus for ctypes: PyAV's Opus codec is used")
        return _lib


def available() -> bool:
    return library() is not None


class OpusError(RuntimeError):
    pass


class _Codec:
    """One libopus encoder or decoder state: made by `<kind>_create`, freed once by
    `<kind>_destroy` (on close, or when the object goes)."""

    _kind = ""  # "encoder" or "decoder": the libopus function prefix

    def __init__(self, rate: int, *create_args: int) -> None:
        self._state = None
        lib = library()
        if lib is None:
            raise OpusError("libopus is not available")
        if rate not in RATES:
            raise OpusError(f"libopus has no {self._kind} at {rate} Hz")
        error = ctypes.c_int()
        create = getattr(lib, f"opus_{self._kind}_create")
        state = create(rate, 1, *create_args, ctypes.byref(error))
        if error.value != _OK or not state:
            raise OpusError(f"opus_{self._kind}_create failed ({error.value})")
        self._lib, self._state, self.rate = lib, state, rate

    def _live_state(self) -> int:
        state = self._state
        if not state:
            raise OpusError(f"the {self._kind} is closed")
        return state

    def close(self) -> None:
        state, self._state = self._state, None
        if state:
            getattr(self._lib, f"opus_{self._kind}_destroy")(state)

    def __del__(self) -> None:
        self.close()


class Encoder(_Codec):
    """20 ms frames of 16-bit mono PCM at `rate` in, one Opus packet each out."""

    _kind = "encoder"

    def __init__(self, rate: int, bitrate: int = 32000, complexity: int = 10) -> None:
        super().__init__(rate, APPLICATION_VOIP)
        for request, value in ((_SET_BITRATE, bitrate), (_SET_COMPLEXITY, complexity)):
            if self._lib.opus_encoder_ctl(self._state, request, ctypes.c_int(value)) != _OK:
                self.close()
                raise OpusError(f"opus_encoder_ctl({request}, {value}) failed")
        self._out = ctypes.create_string_buffer(MAX_PACKET)

    def encode(self, pcm: bytes) -> bytes:
        state = self._live_state()
        n = self._lib.opus_encode(state, pcm, len(pcm) // 2, self._out, MAX_PACKET)
        if n < 0:
            raise OpusError(f"opus_encode failed ({n})")
        return ctypes.string_at(self._out, n)


class Decoder(_Codec):
    """Opus packets in, 16-bit mono PCM at `rate` out (as many samples as the packet
    holds: 320 for a 20 ms packet at 16 kHz)."""

    _kind = "decoder"

    def __init__(self, rate: int) -> None:
        super().__init__(rate)
        self._max = rate * MAX_FRAME_MS // 1000
        self._pcm = ctypes.create_string_buffer(2 * self._max)

    def decode(self, packet: bytes) -> bytes:
        state = self._live_state()
        n = self._lib.opus_decode(state, packet, len(packet), self._pcm, self._max, 0)
        if n < 0:
            raise OpusError(f"opus_decode failed ({n})")
        return ctypes.string_at(self._pcm, 2 * n)

    def conceal(self, samples: int) -> bytes:
        """`samples` of libopus's packet-loss concealment, for a packet that never came
        (a multiple of 2.5 ms): the voice carried on from the decoder's state, fading
        over consecutive losses, instead of a gap."""
        state = self._live_state()
        samples = min(samples, self._max)
        n = self._lib.opus_decode(state, None, 0, self._pcm, samples, 0)
        if n < 0:
            raise OpusError(f"opus_decode (concealment) failed ({n})")
        return ctypes.string_at(self._pcm, 2 * n)
