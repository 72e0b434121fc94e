"""What the device pickers list and what a device switch means, without Qt.

Pure functions over the engine's device events, any thread; the widgets
(`settings_audio`, `call_devices`) turn the results into translated words. Choices are
device *names* (settings keep names, never indices); `None` follows the system default.
A chosen device that is not plugged in stays in the list, marked missing, so the
choice is neither lost nor silently replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from softphone.engine import events as ev
from softphone.media.devices import choice_matches

ROLE_KIND = {"microphone": "input", "speaker": "output", "ringer": "output"}
METER_FLOOR_DBFS = -60.0


@dataclass(frozen=True)
class DeviceItem:
    """One entry of a device picker: `name` is what settings keep (None: the default)."""

    name: str | None
    label: str  # "name (host API)"; for the default, the default device's label or ""
    missing: bool = False  # chosen but not plugged in now
    system_default: bool = False  # the system default (the device, not the entry)


def device_items(
    devices: ev.AudioDevicesDidChange | None, kind: str, chosen: str | None
) -> list[DeviceItem]:
    """The picker's entries: "System default" first, then each device with its host API,
    then the chosen device when it is not there now."""
    if devices is None:
        names, labels, default = (), (), None
    elif kind == "input":
        names, labels, default = devices.input_names, devices.inputs, devices.default_input
    else:
        names, labels, default = devices.output_names, devices.outputs, devices.default_output
    default_label = next((lab for n, lab in zip(names, labels, strict=False) if n == default), "")
    items = [DeviceItem(None, default_label)]
    seen = set()
    for name, label in zip(names, labels, strict=False):
        if name in seen:  # the same name under two host APIs: settings keep only the name
            continue
        seen.add(name)
        items.append(DeviceItem(name, label, system_default=name == default))
    if chosen is not None and not any(choice_matches(chosen, name) for name in seen):
        items.append(DeviceItem(chosen, chosen, missing=True))
    return items


def is_chosen(item: DeviceItem, chosen: str | None) -> bool:
    """Whether the entry is the kept choice (by `choice_matches`: a sound server's device
    under another description is still the one chosen)."""
    return item.name == chosen or (item.name is not None and choice_matches(chosen, item.name))


def chosen_index(items: list[DeviceItem], chosen: str | None) -> int:
    return next((i for i, item in enumerate(items) if is_chosen(item, chosen)), 0)


@dataclass(frozen=True)
class SwitchNotice:
    """What an `AudioDeviceDidSwitch` tells the user.

    kind: "disconnected" (the device in use went away: `previous` → `name`),
    "unavailable" (the chosen device is missing or failed: `previous` is it),
    "back" (the chosen device returned), "switched" (the user's choice),
    "started" (a call or the ring opened it)."""

    kind: str
    role: str
    name: str
    previous: str | None = None

    @property
    def warns(self) -> bool:
        return self.kind in ("disconnected", "unavailable")


def switch_notice(e: ev.AudioDeviceDidSwitch, previous: str | None = None) -> SwitchNotice:
    """`previous`: the device this role was on before, as the window last saw it."""
    head, _, note = e.reason.partition("; ")
    if head.endswith(" was removed"):
        gone = head.removesuffix(" was removed")
        return SwitchNotice("disconnected", e.role, e.name, gone or previous)
    if e.fallback:
        return SwitchNotice("unavailable", e.role, e.name, _subject(note or head) or previous)
    if head.endswith(" is back"):
        return SwitchNotice("back", e.role, e.name, previous)
    if head.startswith("switched by the user"):
        return SwitchNotice("switched", e.role, e.name, previous)
    return SwitchNotice("started", e.role, e.name, previous)


def _subject(note: str) -> str | None:
    """The device a fallback note is about: "X is not available: …", "X failed: …",
    "X could not be opened (…): …"."""
    for marker in (" is not available", " could not be opened", " failed"):
        if marker in note:
            return note.split(marker, 1)[0] or None
    return None


def meter_percent(rms_dbfs: float) -> int:
    """A level meter's fill: METER_FLOOR_DBFS (silence) → 0, 0 dBFS → 100."""
    if rms_dbfs <= METER_FLOOR_DBFS:
        return 0
    return min(100, round((rms_dbfs - METER_FLOOR_DBFS) * 100 / -METER_FLOOR_DBFS))


# Camera modes offered (width, height) and rates; the camera reports what it really does.
CAMERA_SIZES = ((640, 360), (640, 480), (1280, 720), (1920, 1080))
CAMERA_RATES = (15.0, 24.0, 30.0)


def camera_sizes(current: tuple[int, int]) -> list[tuple[int, int]]:
    """The offered sizes, with the saved one kept (it may be none of them)."""
    sizes = list(CAMERA_SIZES)
    if current not in sizes:
        sizes.append(current)
    return sorted(sizes)


def camera_rates(current: float) -> list[float]:
    rates = list(CAMERA_RATES)
    if current not in rates:
        rates.append(current)
    return sorted(rates)
