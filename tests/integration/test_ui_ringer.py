"""The desktop app rings on the ringer chosen in Settings → Audio: a real engine
registered through the Kamailio test bed, the virtual sound card with a ringer device
plugged in, carol (baresip) calling alice. The ringing window appears, the cadence plays
on the ringer (not on the speaker), and Decline stops it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import running_bridge

pytest.importorskip("PySide6", reason="the gui extra is not installed")

from virtual_sound import MIC, SPEAKER

from softphone.config.settings import AccountSettings, AudioSettings, SecretRef, Settings
from softphone.engine import commands as cmd
from softphone.engine.tone import analyse_tone
from softphone.security.encrypted_file import EncryptedFileStore
from softphone.ui.bridge import EngineBridge
from softphone.ui.context import UiContext
from softphone.ui.main_window import MainWindow
from softphone.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
RINGER = "softphone_ui_ringer"


@pytest.fixture
def bridge(qtbot, virtual_sound) -> Iterator[EngineBridge]:
    with running_bridge() as (_engine, b):
        yield b


def test_ui_incoming_call_rings_on_the_chosen_ringer_until_declined(
    qtbot, bridge, testbed, peers, virtual_sound, tmp_path
) -> None:
    text = (REPO / "sip_profiles" / "testbed.toml").read_text()
    profile = tmp_path / "testbed-here.toml"
    profile.write_text(text.replace("5061", testbed.env["SIP_TLS_PORT"]))
    store = EncryptedFileStore.create(tmp_path / "s.enc", "a passphrase", scrypt_n=2**10)
    store.set("sip", "alice@127.0.0.1", "alice-secret")
    account = AccountSettings(str(profile), "alice", SecretRef("sip", "alice@127.0.0.1"))
    audio = AudioSettings(microphone=MIC, speaker=SPEAKER)
    ctx = UiContext(
        bridge,
        settings=Settings(accounts=(account,), audio=audio),
        settings_file=tmp_path / "settings.json",
        store=store,
        sound_devices=True,
    )
    virtual_sound.add_device(RINGER)
    try:
        win = MainWindow(ctx)
        qtbot.addWidget(win)
        win.show()
        win.start()
        status = win.status_bar_widget.text_label
        qtbot.waitUntil(lambda: status.text().startswith("Registered"), timeout=15_000)
        # Settings → Audio (not shown: no meter): the ringer, chosen from the engine's
        # list, saved, in force
        dialog = SettingsDialog(ctx, None, win)
        qtbot.addWidget(dialog)
        page = dialog.audio_page
        bridge.submit(cmd.ListAudioDevices())
        qtbot.waitUntil(lambda: page.ringer_combo.findData(RINGER) >= 0, timeout=10_000)
        page.ringer_combo.setCurrentIndex(page.ringer_combo.findData(RINGER))
        page.ringer_combo.activated.emit(page.ringer_combo.currentIndex())
        with qtbot.waitSignal(dialog.settingsSaved, timeout=5000):
            dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
        assert ctx.settings.audio.ringer == RINGER
        # carol calls: the window rings, the cadence is on the ringer
        peers.start_peer("carol")
        with qtbot.waitSignal(
            bridge.audioDeviceSwitched, check_params_cb=lambda e: e.role == "ringer", timeout=15_000
        ) as rang:
            peers.peer("dial", "carol", "sip:alice@127.0.0.1")
        assert rang.args[0].name == RINGER and not rang.args[0].fallback
        qtbot.waitUntil(lambda: bool(win.incoming), timeout=5000)
        incoming = next(iter(win.incoming.values()))
        assert not incoming.beeping  # the ringer rings, not the system beep
        ring = virtual_sound.record(f"{RINGER}.monitor", 1.0)
        assert analyse_tone(ring, 16000, 440).level_dbfs > -30
        with qtbot.waitSignal(bridge.callEnded, timeout=10_000):
            incoming.decline_button.click()
        qtbot.wait(300)
        after = virtual_sound.record(f"{RINGER}.monitor", 1.0)
        assert analyse_tone(after, 16000, 440).level_dbfs < -60  # declined: silent
    finally:
        virtual_sound.remove_device(RINGER)
