"""Which of the sound server's events make the device probe re-read the devices."""

from __future__ import annotations

import pytest

from softphone.media.probe import device_event


@pytest.mark.parametrize(
    "line",
    [
        "Event 'new' on sink #3\n",
        "Event 'remove' on sink #3\n",
        "Event 'new' on source #7",
        "Event 'remove' on source #7",
        "Event 'new' on card #1",
        "Event 'remove' on card #1",
        "Event 'change' on server #4294967295",  # the default sink or source moved
        "Event 'change' on server",
    ],
)
def test_device_comings_and_goings_count(line: str) -> None:
    assert device_event(line)


@pytest.mark.parametrize(
    "line",
    [
        "Event 'change' on sink #3",  # volume, mute
        "Event 'change' on source #7",
        "Event 'change' on card #1",  # a profile: its sinks and sources come and go on their own
        "Event 'new' on sink-input #12",  # a stream (ours too) opens
        "Event 'remove' on source-output #40",
        "Event 'new' on client #9",
        "Event 'new' on module #30",
        "Event 'remove' on sample-cache #2",
        "",
        "\n",
        "Ereignis »new« auf sink #3",  # a translated pactl: the probe runs it in the C locale
        "garbage",
        "Event 'new'",
        "Event 'new' at sink #3",
    ],
)
def test_everything_else_does_not(line: str) -> None:
    assert not device_event(line)
