"""Echo cancellation, noise suppression and automatic gain for the microphone.

WebRTC's audio processing module (AEC3, NS, AGC2, high-pass filter) through the
`pywebrtc-audio` binding. Runs on the microphone stream's PortAudio thread,
10 ms at a time at the call's clock rate, with the speaker signal of the same
moment as the echo reference; the binding releases the GIL while it works.

Why this one (see README, "Audio devices"): WebRTC's AEC3 is what every
browser ships and copes with the delay and nonlinearity of real laptop audio;
speexdsp's echo canceller is older and weaker, and its Python bindings on PyPI
are source-only and unmaintained (last releases 2018-2022); Debian's
libwebrtc-audio-processing1 (0.3, 2016) is the legacy AEC with no Python
binding. `pywebrtc-audio` ships wheels for Linux, macOS and Windows.
"""

from __future__ import annotations

import numpy as np

# Speaker-to-microphone delay hint for AEC3 (it estimates the real delay itself):
# our playback and capture buffering.
STREAM_DELAY_MS = 60


class ProcessingUnavailable(RuntimeError):
    pass


class WebRtcProcessor:
    def __init__(
        self,
        rate: int,
        *,
        echo_cancellation: bool = True,
        noise_suppression: bool = True,
        auto_gain: bool = True,
    ) -> None:
        try:
            from pywebrtc_audio import AudioProcessor
        except ImportError as e:
            raise ProcessingUnavailable(
                f"echo cancellation unavailable (pip install pywebrtc-audio): {e}"
            ) from None
        self.rate = rate
        self._ap = AudioProcessor(
            sample_rate=rate,
            num_channels=1,
            echo_cancellation=echo_cancellation,
            noise_suppression=noise_suppression,
            high_pass_filter=True,
            auto_gain_control=auto_gain,
            stream_delay_ms=STREAM_DELAY_MS,
        )

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        """10 ms of int16 microphone samples, and what the speaker played then."""
        return self._ap.process(near, far)


def make_processor(rate: int, **options: bool) -> WebRtcProcessor:
    return WebRtcProcessor(rate, **options)
