"""`softphone devices list|test-mic|test-speaker`. Main thread."""

from __future__ import annotations

import argparse


def cmd_devices(args: argparse.Namespace) -> int:
    from softphone.tasks import devices as dev

    if args.devices_command == "list":
        return dev.devices_list(args.json)
    if args.devices_command == "test-mic":
        return dev.test_mic(args.device, args.seconds, args.json, args.echo, args.speaker)
    return dev.test_speaker(args.device, args.seconds, args.freq, args.json)
