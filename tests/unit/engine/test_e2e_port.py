"""The end-to-end call's bridge port hands pjmedia the peer's frames, in the frame's own
buffer (no pjsua2 object made on pjmedia's clock thread).

The callback is called with a stand-in for the port: a real pj.AudioMediaPort freed on
this thread after an engine ran in the process (the test command runs the integration
tests first) trips pjlib's unknown-thread assertion - the very rule the port obeys.
Its whole life inside an engine is covered by tests/integration/test_pjsua2_garbage.py.
"""

from __future__ import annotations

from types import SimpleNamespace

import pjsua2 as pj

from softphone.e2e.bridge import AudioBridge
from softphone.engine.pjobjects import PjE2ePort


def request(bridge: AudioBridge, frame: pj.MediaFrame) -> None:
    PjE2ePort.onFrameRequested(SimpleNamespace(_bridge=bridge), frame)


def test_the_peers_frame_is_written_into_the_frames_own_buffer() -> None:
    bridge = AudioBridge(16000)
    spoken = bytes(range(256)) * 2 + bytes(128)  # 640 bytes: 20 ms at 16 kHz
    bridge.put_remote(spoken)
    frame = pj.MediaFrame()
    frame.buf.resize(7)  # whatever pjmedia left in it: resized, not appended to
    request(bridge, frame)
    assert frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO
    assert frame.size == len(spoken)
    assert bytes(frame.buf) == spoken


def test_nothing_from_the_peer_is_no_frame() -> None:
    frame = pj.MediaFrame()
    frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
    request(AudioBridge(16000), frame)
    assert frame.type == pj.PJMEDIA_FRAME_TYPE_NONE
