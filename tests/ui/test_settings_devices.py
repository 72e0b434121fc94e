"""Settings → Audio and → Camera with a fake engine and the synthetic camera: devices
listed by name with their host API, refreshed when one is plugged in, the choice saved
and put into force (`SetAudioDevices`), locked switches disabled with the reason; the
camera preview fed by the capture thread without blocking the GUI, and missing or busy
cameras said in words."""

from __future__ import annotations

import json
import threading

import pytest
from helpers_ui import context

from softphone.config.admin_policy import parse_admin_policy
from softphone.config.settings import AudioSettings, Settings, VideoSettings
from softphone.engine import commands as cmd
from softphone.engine import events as ev
from softphone.media.camera import CameraError, CameraInfo, SyntheticCamera
from softphone.ui.settings_camera import CameraAccess
from softphone.ui.settings_dialog import SettingsDialog

DEVICES = ev.AudioDevicesDidChange(
    inputs=("Built-in microphone (ALSA)", "pulse (ALSA)"),
    outputs=("Speakers (ALSA)", "pulse (ALSA)"),
    input_names=("Built-in microphone", "pulse"),
    output_names=("Speakers", "pulse"),
    default_input="pulse",
    default_output="Speakers",
)
HEADSET = ev.AudioDevicesDidChange(
    inputs=(*DEVICES.inputs, "USB headset (ALSA)"),
    outputs=(*DEVICES.outputs, "USB headset (ALSA)"),
    input_names=(*DEVICES.input_names, "USB headset"),
    output_names=(*DEVICES.output_names, "USB headset"),
    default_input="pulse",
    default_output="Speakers",
)
POLICY = "version = 1\n[audio]\necho_cancellation = true\n[video]\nstart_calls_with_video = false\n"

SYNTHETIC = CameraAccess(
    find_cameras=lambda: [CameraInfo("Synthetic camera", 0)],
    open_camera=lambda name, mode, cameras: SyntheticCamera(mode),
)


def _busy(name, mode, cameras):
    raise CameraError("camera Synthetic camera is busy: another program is using it")


def _missing(name, mode, cameras):
    raise CameraError("no camera found")


@pytest.fixture(autouse=True)
def no_child_checks(monkeypatch):
    """No device checks in child processes here (the fake engine has no devices): the
    meter is tested with the real virtual sound card in test_devices_real_engine."""
    from softphone.ui import settings_audio

    monkeypatch.setattr(settings_audio.AudioPage, "start_meter", lambda self: None)


def _dialog(qtbot, ctx, tab: str | None = None) -> SettingsDialog:
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    if tab is not None:
        titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        dialog.tabs.setCurrentIndex(titles.index(tab))
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _texts(combo) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


def test_audio_page_lists_devices_with_host_api_and_refreshes_on_hot_plug(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    user = Settings(audio=AudioSettings(speaker="USB headset"))
    dialog = _dialog(qtbot, context(bridge, tmp_path, settings=user), "Audio")
    page = dialog.audio_page
    assert fake_engine.commands(cmd.ListAudioDevices)  # nothing known yet: it asks
    assert page.devices_label.text() == "Looking for sound devices…"
    fake_engine.emit(DEVICES)
    qtbot.waitUntil(lambda: page.microphone_combo.count() == 3)
    assert _texts(page.microphone_combo) == [
        "System default — pulse (ALSA)",
        "Built-in microphone (ALSA)",
        "pulse (ALSA)",
    ]
    # the chosen headset is not plugged in: kept, marked, still the choice
    assert page.speaker_combo.currentText() == "USB headset — not connected"
    assert not page.devices_label.isVisible()
    fake_engine.emit(HEADSET)  # plugged in
    qtbot.waitUntil(lambda: "USB headset (ALSA)" in _texts(page.speaker_combo))
    assert page.speaker_combo.currentText() == "USB headset (ALSA)"
    assert "USB headset — not connected" not in _texts(page.speaker_combo)
    assert page.microphone_combo.accessibleName() == "Microphone"


def test_audio_page_choice_is_saved_and_put_into_force(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    bridge.audio_devices = HEADSET  # the engine has spoken before the dialog opened
    ctx = context(bridge, tmp_path)
    dialog = _dialog(qtbot, ctx, "Audio")
    page = dialog.audio_page
    assert not fake_engine.commands(cmd.ListAudioDevices)
    page.microphone_combo.setCurrentIndex(page.microphone_combo.findData("USB headset"))
    page.microphone_combo.activated.emit(page.microphone_combo.currentIndex())
    page.ringer_combo.setCurrentIndex(page.ringer_combo.findData("Speakers"))
    page.ringer_combo.activated.emit(page.ringer_combo.currentIndex())
    page.switch_checks["noise_suppression"].setChecked(False)
    with qtbot.waitSignal(dialog.settingsSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    doc = json.loads((tmp_path / "settings.json").read_text())
    assert doc["audio"] == {
        "microphone": "USB headset",
        "speaker": None,
        "ringer": "Speakers",
        "echo_cancellation": True,
        "noise_suppression": False,
        "auto_gain": True,
    }
    applied = fake_engine.commands(cmd.SetAudioDevices)[-1]
    assert applied == cmd.SetAudioDevices("USB headset", None, "Speakers", noise_suppression=False)


GERMAN = ev.AudioDevicesDidChange(
    inputs=DEVICES.inputs,
    outputs=(*DEVICES.outputs, "Kopfhörer (PulseAudio)"),
    input_names=DEVICES.input_names,
    output_names=(*DEVICES.output_names, "Kopfhörer [alsa_output.usb-x]"),
    default_input="pulse",
    default_output="Speakers",
)


@pytest.mark.parametrize("kept", ["Headphones [alsa_output.usb-x]", "Kopfhörer"])
def test_audio_page_shows_a_server_device_kept_under_another_description_and_saves_its_key(
    qtbot, bridge, fake_engine, tmp_path, kept
) -> None:
    """The desktop's language renamed the sound server's headphones; the choice (kept with
    the server's own name, or by description before keys) is still them, not "not
    connected", and is saved by its key from now on."""
    bridge.audio_devices = GERMAN
    user = Settings(audio=AudioSettings(ringer=kept))
    dialog = _dialog(qtbot, context(bridge, tmp_path, settings=user), "Audio")
    page = dialog.audio_page
    assert page.ringer_combo.currentText() == "Kopfhörer (PulseAudio)"
    assert not any("not connected" in t for t in _texts(page.ringer_combo))
    with qtbot.waitSignal(dialog.settingsSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    doc = json.loads((tmp_path / "settings.json").read_text())
    assert doc["audio"]["ringer"] == "Kopfhörer [alsa_output.usb-x]"


def test_audio_and_camera_locked_settings_are_disabled_with_the_reason(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    admin = parse_admin_policy(POLICY, "/etc/xdg/softphone/policy.toml", tmp_path / "p.toml")
    user = Settings(
        audio=AudioSettings(echo_cancellation=False),
        video=VideoSettings(start_calls_with_video=True),
    )
    ctx = context(bridge, tmp_path, admin=admin, settings=user, cameras=SYNTHETIC)
    dialog = _dialog(qtbot, ctx, "Audio")
    page = dialog.audio_page
    echo = page.switch_checks["echo_cancellation"]
    assert not echo.isEnabled() and echo.isChecked()  # the administrator's value
    assert "administrator" in echo.toolTip()
    assert dialog.lock_labels["audio.echo_cancellation"].isVisible()
    assert page.switch_checks["auto_gain"].isEnabled()
    camera = dialog.camera_page
    assert not camera.video_check.isEnabled() and not camera.video_check.isChecked()
    chosen = dialog.chosen_settings()  # locked keys keep the user's own choice underneath
    assert chosen.audio.echo_cancellation is False
    assert chosen.video.start_calls_with_video is True


def test_camera_page_previews_the_synthetic_camera_without_blocking(
    qtbot, bridge, tmp_path, screenshot
) -> None:
    threads: set[str] = set()

    def find():
        threads.add(threading.current_thread().name)
        return SYNTHETIC.find_cameras()

    def open_(name, mode, cameras):
        threads.add(threading.current_thread().name)
        return SyntheticCamera(mode)

    user = Settings(video=VideoSettings(width=640, height=360, fps=30.0))
    access = CameraAccess(find_cameras=find, open_camera=open_)
    ctx = context(bridge, tmp_path, settings=user, cameras=access)
    dialog = _dialog(qtbot, ctx, "Camera")
    page = dialog.camera_page
    qtbot.waitUntil(lambda: page.frames_shown >= 5, timeout=5000)
    pixmap = page.preview_label.pixmap()
    assert not pixmap.isNull() and pixmap.width() <= 320
    assert "Synthetic camera" in [page.camera_combo.itemText(i) for i in range(3)]
    assert page.mode_label.text() == "The camera delivers 640 × 360 at 30 frames/s"
    assert page.video_check.isEnabled()
    screenshot(dialog, "settings_camera")
    # another tab: the preview stops, the camera is closed (off the GUI thread)
    preview = page.preview
    dialog.tabs.setCurrentIndex(0)
    assert page.preview is None
    qtbot.waitUntil(lambda: not preview._thread.is_alive(), timeout=5000)
    assert threads and threading.main_thread().name not in threads  # opened off the GUI
    page.size_combo.setCurrentIndex(page.size_combo.findData("1280x720"))
    page.video_check.setChecked(True)
    chosen = dialog.chosen_settings().video
    assert (chosen.width, chosen.height, chosen.start_calls_with_video) == (1280, 720, True)


def test_camera_page_says_when_the_camera_is_busy_or_missing(qtbot, bridge, tmp_path) -> None:
    busy = CameraAccess(find_cameras=SYNTHETIC.find_cameras, open_camera=_busy)
    dialog = _dialog(qtbot, context(bridge, tmp_path, cameras=busy), "Camera")
    page = dialog.camera_page
    qtbot.waitUntil(lambda: page.status_label.isVisible())
    assert "busy: another program is using it" in page.status_label.text()
    assert page.preview_label.text() == "No picture"
    dialog.close()
    none = CameraAccess(find_cameras=list, open_camera=_missing)
    dialog = _dialog(qtbot, context(bridge, tmp_path, cameras=none), "Camera")
    page = dialog.camera_page
    qtbot.waitUntil(lambda: "no camera found" in page.status_label.text().lower())


def test_audio_page_echo_test_call_uses_the_devices_shown_then_cancel_restores(
    qtbot, bridge, fake_engine, tmp_path
) -> None:
    bridge.audio_devices = HEADSET
    ctx = context(bridge, tmp_path, settings=Settings(audio=AudioSettings(speaker="Speakers")))
    dialog = _dialog(qtbot, ctx, "Audio")
    page = dialog.audio_page
    page.speaker_combo.setCurrentIndex(page.speaker_combo.findData("USB headset"))
    page.speaker_combo.activated.emit(page.speaker_combo.currentIndex())
    page.test_call_button.click()
    tried = fake_engine.commands(cmd.SetAudioDevices)[-1]
    assert tried.speaker == "USB headset"  # what the page shows, not yet saved
    panel = dialog.test_call_dialog.panel
    assert panel.runner.devices
    panel.run_button.click()
    started = fake_engine.commands(cmd.StartLoopback)[-1]
    fake_engine.emit(ev.LoopbackDidStart(started.caller_account_id, "sips:echo@127.0.0.1", "AB"))
    qtbot.waitUntil(lambda: bool(fake_engine.commands(cmd.MakeCall)))
    assert fake_engine.commands(cmd.MakeCall)[-1].devices  # through the microphone and speaker
    dialog.test_call_dialog.close()
    dialog.reject()  # cancelled: the saved devices are in force again
    assert fake_engine.commands(cmd.SetAudioDevices)[-1].speaker == "Speakers"
    assert not (tmp_path / "settings.json").exists()


def test_device_controls_have_accessible_names(qtbot, bridge, fake_engine, tmp_path) -> None:
    from PySide6.QtWidgets import QCheckBox, QComboBox, QProgressBar, QPushButton, QToolButton

    from softphone.ui.call_devices import CallDevicesRow

    bridge.audio_devices = DEVICES
    ctx = context(bridge, tmp_path, cameras=SYNTHETIC, sound_devices=True)
    dialog = _dialog(qtbot, ctx)
    row = CallDevicesRow(ctx)
    qtbot.addWidget(row)
    kinds = (QCheckBox, QComboBox, QProgressBar, QPushButton, QToolButton)
    for owner in (dialog.audio_page, dialog.camera_page, row):
        controls = [w for kind in kinds for w in owner.findChildren(kind)]
        assert controls
        for w in controls:
            name = w.accessibleName() or getattr(w, "text", lambda: "")()
            assert name, f"{type(owner).__name__}: a {type(w).__name__} has no accessible name"
    assert dialog.camera_page.preview_label.accessibleName() == "Camera preview"
