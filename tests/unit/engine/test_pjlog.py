"""pjsip's log into Python logging: the errors pjsua reports for every end-to-end call
as it meets lines that are ours (expected, debug) and everything else as it is."""

from __future__ import annotations

import logging

import pjsua2 as pj
import pytest

from softphone.engine.pjobjects import PjLogWriter


def logged(caplog, level: int, msg: str) -> int:
    logger = logging.getLogger("test.pjsip")
    logger.setLevel(logging.DEBUG)
    entry = pj.LogEntry()
    entry.level = level
    entry.msg = msg
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="test.pjsip"):
        PjLogWriter(logger).write(entry)
    (record,) = caplog.records
    assert record.getMessage() == msg.rstrip()
    return record.levelno


VIDEO_LINE = [
    "pjmedia_stream_info_from_sdp() failed for call_id 0 media 2: "
    "Invalid media type (PJMEDIA_EINVALIMEDIATYPE)",
    "Error updating media call00:2: Invalid media type (PJMEDIA_EINVALIMEDIATYPE)",
]


@pytest.mark.parametrize("msg", VIDEO_LINE)
def test_pjlog_our_video_line_in_an_extra_audio_slot_is_expected(caplog, msg):
    assert logged(caplog, 1, msg) == logging.DEBUG


def test_pjlog_the_same_mismatch_on_pjsuas_own_line_stays_an_error(caplog):
    for msg in VIDEO_LINE:
        own_line = msg.replace("media 2:", "media 0:").replace("call00:2:", "call00:0:")
        assert own_line != msg
        assert logged(caplog, 1, own_line) == logging.ERROR


def test_pjlog_other_errors_stay_errors(caplog):
    msg = "Error updating media call00:1: Invalid SDP media transport (PJMEDIA_SDP_EINPROTO)"
    assert logged(caplog, 1, msg) == logging.ERROR
    assert logged(caplog, 2, "Skipped updating media call00:2") == logging.WARNING
    srtp = "pjmedia_transport_media_start() failed: (PJMEDIA_SRTP_ESDPINTRANSPORT)"
    assert logged(caplog, 1, srtp) == logging.DEBUG  # the case documented before
