"""Audio between pjmedia's conference bridge and an end-to-end session: two frame queues.

Threads: pjmedia's clock thread calls `put_local` and `take_remote` (through the
engine's bridge port); the e2e-media loop thread calls `take_local` and
`put_remote`. Both sides only append to and pop from `collections.deque`s, which
are atomic under the GIL: no lock, no allocation beyond the frame itself, no
logging on the clock thread. Once the session runs its audio on the clock thread
(`direct`, softphone.e2e.rtp.AudioRtp), `put_local` hands each frame to it to send
(the queue towards the peer is not used), and both calls first let it take in what
arrived from the peer.

Frames are 20 ms of 16-bit mono PCM at the engine's clock rate (16 kHz: 640 bytes),
the same format every other audio port of the bridge uses (tone generator, WAV
player, recorder, the sound-device bridge). So an end-to-end call is heard and fed
exactly like a pjmedia call.

Clock drift: the bridge runs on pjmedia's clock, the session paces itself on the
loop's clock. Each queue is bounded: when one side runs ahead, the oldest frames go
(`dropped`), when it runs dry the other side gets silence (`underruns`). Latency
therefore stays under `max_frames` × 20 ms whatever the drift.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

FRAME_MS = 20


class AudioBridge:
    def __init__(self, clock_rate: int = 16000, max_frames: int = 5) -> None:
        self.clock_rate = clock_rate
        self.frame_samples = clock_rate * FRAME_MS // 1000
        self.frame_bytes = self.frame_samples * 2
        self.silence = bytes(self.frame_bytes)
        self._to_peer: deque[bytes] = deque(maxlen=max_frames)
        self._from_peer: deque[bytes] = deque(maxlen=max_frames)
        self.sending = True  # False while the call is held (no audio towards the peer)
        self._send: Callable[[bytes], None] | None = None
        self._pull: Callable[[], None] | None = None
        self._play: Callable[[], None] | None = None
        self._pulled = False  # by `take_remote`, since the last `put_local`
        self.dropped = 0
        self.underruns = 0
        self.remote_frames = 0

    # -- pjmedia's clock thread ------------------------------------------------------

    def put_local(self, frame: bytes | None) -> None:
        """A frame the bridge mixed for the peer (None: it had nothing, silence)."""
        pull, send = self._pull, self._send
        if pull is not None and not self._pulled:
            pull()  # pjmedia asks a port nobody listens to for no frame: pulled here
        self._pulled = False
        if send is not None:
            if self.sending:
                send(frame or self.silence)
            return
        if frame is None:
            return  # the queue's reader sends silence when it runs dry
        if len(self._to_peer) == self._to_peer.maxlen:
            self.dropped += 1
        self._to_peer.append(frame)

    def take_remote(self) -> bytes | None:
        """The next frame received from the peer, or None (the port then plays nothing)."""
        pull, play = self._pull, self._play
        if pull is not None:
            pull()  # what arrived since the last tick
            self._pulled = True  # (pjmedia asks for a frame, then gives one, each tick)
        if play is not None and not self._from_peer:
            play()  # decoded now, when it is to be heard
        try:
            return self._from_peer.popleft()
        except IndexError:
            return None

    def has_remote(self) -> bool:
        return bool(self._from_peer)

    # -- the e2e-media loop thread ---------------------------------------------------

    def direct(self, send: Callable[[bytes], None] | None, pull: Callable[[], None] | None) -> None:
        """Hand the session's own audio path to pjmedia's clock thread: each frame for
        the peer goes to `send`, and `pull` is called on every tick to take in what
        arrived (softphone.e2e.rtp.AudioRtp). None: back to the queue towards the
        peer (`take_local`). What was queued for the peer is stale: dropped."""
        self._send, self._pull = send, pull
        self._to_peer.clear()

    def player(self, play: Callable[[], None] | None) -> None:
        """`play()` is called when a frame from the peer is wanted and none is ready:
        it decodes what arrived into `put_remote` (softphone.e2e.media.RemoteAudio).
        So nothing is decoded that nobody listens to: pjmedia's conference bridge
        asks a port for frames only while something listens to it, as it asks its
        own streams, which decode only then too."""
        self._play = play

    def take_local(self) -> bytes:
        """The next frame to encode for the peer; silence when none is ready."""
        if not self.sending:
            self._to_peer.clear()
            return self.silence
        try:
            return self._to_peer.popleft()
        except IndexError:
            self.underruns += 1
            return self.silence

    def keep_newest_local(self) -> None:
        """Drop all but the newest frame for the peer: what queued up before the
        session could send is stale, and would stay as latency for the whole call."""
        while len(self._to_peer) > 1:
            try:
                self._to_peer.popleft()
            except IndexError:
                return

    def put_remote(self, frame: bytes) -> None:
        if len(frame) != self.frame_bytes:
            raise ValueError(f"a frame is {self.frame_bytes} bytes, got {len(frame)}")
        if len(self._from_peer) == self._from_peer.maxlen:
            self.dropped += 1
        self._from_peer.append(frame)
        self.remote_frames += 1

    def clear(self) -> None:
        self._to_peer.clear()
        self._from_peer.clear()
