"""The end-to-end call's bridge port hands pjmedia the peer's frames, in the frame's own
buffer (no pjsua2 object made on pjmedia's clock thread)."""

from __future__ import annotations

import pjsua2 as pj

from softphone.e2e.bridge import AudioBridge
from softphone.engine.pjobjects import PjE2ePort


def test_the_peers_frame_is_written_into_the_frames_own_buffer() -> None:
    bridge = AudioBridge(16000)
    port = PjE2ePort(bridge)
    spoken = bytes(range(256)) * 2 + bytes(128)  # 640 bytes: 20 ms at 16 kHz
    bridge.put_remote(spoken)
    frame = pj.MediaFrame()
    frame.buf.resize(7)  # whatever pjmedia left in it: resized, not appended to
    port.onFrameRequested(frame)
    assert frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO
    assert frame.size == len(spoken)
    assert bytes(frame.buf) == spoken


def test_nothing_from_the_peer_is_no_frame() -> None:
    port = PjE2ePort(AudioBridge(16000))
    frame = pj.MediaFrame()
    frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
    port.onFrameRequested(frame)
    assert frame.type == pj.PJMEDIA_FRAME_TYPE_NONE
