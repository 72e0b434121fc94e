"""`softphone devices list|test-mic|test-speaker`: sound devices without a call.

Main thread of the CLI. The device to use is `--device`, else the one chosen in
settings (by name), else the system default.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

import numpy as np

from softphone.config.settings import AudioSettings, SettingsError, load_settings
from softphone.media import checks
from softphone.media.devices import DeviceList, list_devices

EXIT_OK, EXIT_FAILED = 0, 1
SILENT_DBFS = -60.0


def audio_settings() -> AudioSettings:
    try:
        return load_settings().audio
    except SettingsError as e:
        print(f"softphone: settings ignored: {e}", file=sys.stderr)
        return AudioSettings()


def _device_doc(devices: DeviceList, kind: str, chosen: dict[str, str | None]) -> list[dict]:
    pool = devices.inputs if kind == "input" else devices.outputs
    default = devices.default(kind)
    out = []
    for d in pool:
        roles = [role for role, name in chosen.items() if devices.chosen(d, name, kind)]
        out.append(
            {
                "name": d.name,
                "key": d.key,  # what settings keep
                "hostapi": d.hostapi,
                "server_name": d.target,  # a PulseAudio sink's or source's own name
                "channels": d.max_inputs if kind == "input" else d.max_outputs,
                "default_rate": d.default_rate,
                "system_default": default is not None and d.name == default.name,
                "chosen_for": roles,
            }
        )
    return out


def devices_list(as_json: bool) -> int:
    devices = list_devices()
    audio = audio_settings()
    doc = {
        "inputs": _device_doc(devices, "input", {"microphone": audio.microphone}),
        "outputs": _device_doc(
            devices, "output", {"speaker": audio.speaker, "ringer": audio.ringer}
        ),
        "settings": asdict(audio),
        "error": devices.error,
    }
    if as_json:
        print(json.dumps(doc, indent=2))
        return EXIT_OK if devices.error is None else EXIT_FAILED
    if devices.error:
        print(f"softphone: {devices.error}", file=sys.stderr)
        return EXIT_FAILED
    for title, key in (("Inputs", "inputs"), ("Outputs", "outputs")):
        print(f"{title}:")
        for d in doc[key]:
            mark = "*" if d["system_default"] else " "
            roles = f"  <- {', '.join(d['chosen_for'])}" if d["chosen_for"] else ""
            print(f"  {mark} {d['name']} ({d['hostapi']}, {d['default_rate']} Hz){roles}")
    print("  (* system default)")
    for role in ("microphone", "speaker", "ringer"):
        name = getattr(audio, role)
        if name is not None:
            kind = "input" if role == "microphone" else "output"
            if devices.find(name, kind) is None:
                print(f"{role}: {name!r} is not present: the system default is used")
    return EXIT_OK


def test_mic(
    device: str | None, seconds: float, as_json: bool, echo: bool, speaker: str | None
) -> int:
    devices = list_devices()
    audio = audio_settings()
    name = device if device is not None else audio.microphone
    try:
        if echo:
            return _echo_test(devices, name, speaker or audio.speaker, seconds, as_json)

        def show(level: checks.Level) -> None:
            if not as_json:
                bar = "#" * max(0, int((level.rms_dbfs + 60) / 1.5))
                print(f"{level.rms_dbfs:7.1f} dBFS |{bar:<40}|", flush=True)

        levels = checks.meter(devices, name, seconds, show)
    except checks.CheckError as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_FAILED
    peak = max((lv.peak_dbfs for lv in levels), default=-120.0)
    loudest = max((lv.rms_dbfs for lv in levels), default=-120.0)
    heard = loudest > SILENT_DBFS
    used = devices.find(name, "input")
    if as_json:
        doc = {
            "device": used.name if used else None,
            "levels_rms_dbfs": [lv.rms_dbfs for lv in levels],
            "peak_dbfs": peak,
            "loudest_rms_dbfs": loudest,
            "sound": heard,
        }
        print(json.dumps(doc, indent=2))
    else:
        verdict = "sound heard" if heard else f"NO sound (below {SILENT_DBFS:.0f} dBFS)"
        print(f"{used.label if used else '?'}: loudest {loudest} dBFS, peak {peak} dBFS: {verdict}")
    return EXIT_OK if heard else EXIT_FAILED


def _echo_test(
    devices: DeviceList, mic: str | None, speaker: str | None, seconds: float, as_json: bool
) -> int:
    if not as_json:
        print(f"Recording {seconds:.0f} s: say something...", flush=True)
    samples, rate = checks.record(devices, mic, seconds)
    rms = float(np.sqrt(np.mean(samples * samples))) if len(samples) else 0.0
    if not as_json:
        print("Playing it back...", flush=True)
    used = checks.play(devices, speaker, samples, rate)
    level = round(20 * np.log10(rms), 1) if rms > 1e-6 else -120.0
    if as_json:
        print(
            json.dumps({"recorded_s": len(samples) / rate, "rms_dbfs": level, "speaker": used.name})
        )
    else:
        print(f"Played {len(samples) / rate:.1f} s at {level} dBFS on {used.label}")
    return EXIT_OK if level > SILENT_DBFS else EXIT_FAILED


def test_speaker(device: str | None, seconds: float, freq: float, as_json: bool) -> int:
    devices = list_devices()
    name = device if device is not None else audio_settings().speaker
    try:
        used = checks.play(devices, name, checks.test_tone(seconds, freq), 48000)
    except checks.CheckError as e:
        print(f"softphone: {e}", file=sys.stderr)
        return EXIT_FAILED
    if as_json:
        print(json.dumps({"device": used.name, "hostapi": used.hostapi, "tone_hz": freq}))
    else:
        print(f"Played a {freq:.0f} Hz tone for {seconds:.1f} s on {used.label}")
    return EXIT_OK
