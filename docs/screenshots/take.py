"""Screenshots of the desktop app's main screens, light and dark, for the README.

    xvfb-run -a python docs/screenshots/take.py [--out docs/screenshots] [--only PREFIX]

Real windows on a real X server, with made-up data (no network, no account: the
engine is a stand-in that records commands and delivers the events a call would
bring). Writes NAME-light.png and NAME-dark.png in English, then the settings'
Language page in Simplified Chinese (settings-language-zh_CN-light.png); `--only`
writes just the pictures whose names start with PREFIX. Look at every one before
committing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]
TMP = Path(tempfile.mkdtemp(prefix="sp-shots-"))
for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[var] = str(TMP / var.lower())
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

from helpers import MemoryStore  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from softphone.config.admin_policy import AdminPolicy  # noqa: E402
from softphone.config.profile import find_profile, load_profile  # noqa: E402
from softphone.config.settings import AccountSettings, SecretRef, Settings  # noqa: E402
from softphone.directory.contacts import ContactDirectory  # noqa: E402
from softphone.engine import events as ev  # noqa: E402
from softphone.media.camera import CameraMode, SyntheticCamera  # noqa: E402
from softphone.media.camera_feed import CameraFeed  # noqa: E402
from softphone.media.video_slot import VideoSlots  # noqa: E402
from softphone.schedule.appointment import Appointment, CallDirection  # noqa: E402
from softphone.storage.appointments import AppointmentStore  # noqa: E402
from softphone.storage.database import (  # noqa: E402
    CallRecord,
    Contact,
    Direction,
    LocalDatabase,
    PhoneEntry,
)
from softphone.ui import theme  # noqa: E402
from softphone.ui.app_icons import app_icon  # noqa: E402
from softphone.ui.bridge import EngineBridge  # noqa: E402
from softphone.ui.call_flow import CallLauncher  # noqa: E402
from softphone.ui.call_window import CallWindow  # noqa: E402
from softphone.ui.context import AccountInfo, UiContext  # noqa: E402
from softphone.ui.main_window import MainWindow  # noqa: E402
from softphone.ui.settings_dialog import SettingsDialog  # noqa: E402
from softphone.ui.translations import use_language  # noqa: E402
from softphone.ui.wizard import FirstRunWizard  # noqa: E402

SHA = ":".join(f"{(i * 37) % 256:02X}" for i in range(32))


class StandInEngine:
    """Records commands; delivers events from another thread, as the engine does."""

    def __init__(self) -> None:
        self.listeners: list = []
        self.n = 0
        self.video_slots = VideoSlots()

    def remote_video(self, call_id: str):
        return self.video_slots.get(call_id)

    def submit(self, command) -> None:
        pass

    def subscribe(self, listener) -> None:
        self.listeners.append(listener)

    def unsubscribe(self, listener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def new_id(self, prefix: str = "c") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, *events) -> None:
        def run() -> None:
            for e in events:
                for listener in list(self.listeners):
                    listener(e)

        t = threading.Thread(target=run)
        t.start()
        t.join()


def settle(ms: int = 150) -> None:
    QTest.qWait(ms)


ONLY = [""]  # --only: a prefix of the names to write


def save(widget: QWidget, out: Path, name: str) -> None:
    if not name.startswith(ONLY[0]):
        return
    settle()
    path = out / f"{name}-{theme.scheme_name()}.png"
    widget.grab().save(str(path))
    print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)


def _data(db: LocalDatabase) -> ContactDirectory:
    directory = ContactDirectory(db, "US")
    directory.add_many(
        [
            Contact(
                "Amy Clark",
                department="Dermatology",
                numbers=(PhoneEntry("+1 212 555 0101"),),
                favourite=True,
            ),
            Contact("Bob Brown", organisation="Clinic", numbers=(PhoneEntry("+1 212 555 0102"),)),
            Contact(
                "Carol Jones", department="Cardiology", numbers=(PhoneEntry("+1 212 555 0177"),)
            ),
            Contact("Dan Evans", department="Radiology", tags=("on call",)),
        ]
    )
    now = datetime.now(UTC)
    rows = [
        ("sip:+12125550101@sip.example.com;user=phone", Direction.OUTGOING, "answered", 90),
        ("sip:bob@sip.example.com", Direction.INCOMING, "missed", 60),
        ("sip:carol@sip.example.com", Direction.INCOMING, "answered", 30),
    ]
    for peer, direction, outcome, minutes in rows:
        db.add_call(
            CallRecord(
                now - timedelta(minutes=minutes), 312.0, direction, outcome, True, False, peer
            )
        )
    store = AppointmentStore(db)
    start = now.replace(second=0, microsecond=0)
    store.add(
        Appointment(
            start + timedelta(minutes=10),
            timedelta(minutes=20),
            "+1 212 555 0101",
            "Follow-up visit",
        )
    )
    store.add(
        Appointment(
            start + timedelta(hours=2),
            timedelta(minutes=30),
            "sip:carol@sip.example.com",
            "Consultation",
            CallDirection.THEY_CALL,
        )
    )
    return directory


def shoot(out: Path, scheme: Qt.ColorScheme) -> None:
    app = QApplication.instance()
    theme.follow_color_scheme(app, scheme)
    engine = StandInEngine()
    bridge = EngineBridge(engine)
    db = LocalDatabase.open(TMP / f"db-{scheme.name}.sqlite3", MemoryStore())
    directory = _data(db)
    profile = load_profile(find_profile("generic-tls"))
    account = AccountInfo("acc1", profile, "alice")
    settings = Settings(
        accounts=(AccountSettings("generic-tls", "alice", SecretRef("sip", "alice@x")),)
    )
    store = MemoryStore()
    store.set("sip", "alice@x", "a password")
    ctx = UiContext(
        bridge,
        admin=AdminPolicy(),
        store=store,
        account=account,
        settings=settings,
        settings_file=TMP / "settings.json",
        database=db,
        directory=directory,
    )
    win = MainWindow(ctx)
    win.show()
    sig = ev.SignallingSecurity("tls", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "sip.example.com", SHA)
    reg = ev.AccountRegistrationDidChange(
        "acc1", ev.RegistrationState.REGISTERED, 200, "OK", 300, signalling=sig
    )
    engine.emit(reg)
    for view in (win.history_view, win.contacts_view, win.today_view):
        view.reload()
        settle(300)
    win.dial_pad.set_number("+1 (212) 555-0101")
    win.tabs.setCurrentWidget(win.dial_pad)
    save(win, out, "main-dial-pad")
    for view, name in (
        (win.today_view, "main-today"),
        (win.contacts_view, "main-contacts"),
        (win.history_view, "main-history"),
    ):
        win.tabs.setCurrentWidget(view)
        save(win, out, name)

    engine.emit(
        ev.CallDidArrive("in1", "acc1", '"Amy Clark" <sip:amy@sip.example.com>', "Amy", False)
    )
    settle()
    dialog = win.incoming["in1"]
    save(dialog, out, "incoming-call")
    dialog.answer_button.click()
    call = win.call_windows["in1"]
    media = ev.MediaSecurity(True, "RTP/SAVP", "AES_256_CM_HMAC_SHA1_80", "sdes")
    engine.emit(
        ev.CallStateDidChange("in1", ev.CallState.CONFIRMED, 200, "OK"),
        ev.CallMediaDidChange("in1", media, "PCMU", 8000, False, False, sig),
    )
    settle(300)
    save(call, out, "call-window")
    call.ended = True
    call.close()
    shoot_video_call(out, ctx, engine, sig)

    dialog = SettingsDialog(ctx, reg, win)
    dialog.show()
    for i in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(i)
        save(dialog, out, f"settings-{dialog.tabs.tabText(i).lower().replace('&', '')}")
    dialog.close()

    wizard_ctx = UiContext(
        bridge, admin=AdminPolicy(), store=MemoryStore(), settings_file=TMP / "w.json"
    )
    wizard = FirstRunWizard(wizard_ctx)
    wizard.show()
    save(wizard, out, "wizard")
    wizard.close()
    win.close()
    bridge.close()
    db.close()


def made_up_person(width: int = 640, height: int = 480):
    """A picture of someone at a desk, as a camera might send it: a lit wall, a head,
    shoulders (RGB, numpy). Made up; nobody's face."""
    import numpy as np

    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    wall = np.stack([200 - y / 8, 190 - y / 7, 170 - y / 6], axis=-1)
    picture = np.clip(wall + (x / width * 30)[..., None], 0, 255)
    cx, cy = width * 0.5, height * 0.42
    head = ((x - cx) / (width * 0.11)) ** 2 + ((y - cy) / (height * 0.2)) ** 2 < 1
    hair = head & (y < cy - height * 0.08)
    body = ((x - cx) / (width * 0.3)) ** 2 + ((y - height * 1.05) / (height * 0.42)) ** 2 < 1
    picture[body] = (52, 86, 140)
    picture[head] = (224, 182, 150)
    picture[hair] = (70, 50, 40)
    return picture.astype(np.uint8)


def shoot_video_call(out: Path, ctx: UiContext, engine: StandInEngine, sig) -> None:
    """An end-to-end call with video: the other side large, your camera in the corner."""
    import dataclasses

    profile = ctx.account.profile
    video = dataclasses.replace(profile.media, e2e_video=True)
    account = AccountInfo("acc1", dataclasses.replace(profile, media=video), "alice")
    feed = CameraFeed(lambda: SyntheticCamera(CameraMode(320, 240, 15)))
    vctx = dataclasses.replace(ctx, account=account, camera=feed)
    call = CallWindow(vctx, CallLauncher(vctx), "v1", "sip:carol@sip.example.com")
    call.show()
    media = ev.MediaSecurity(
        True, "UDP/TLS/RTP/SAVPF", "SRTP_AEAD_AES_256_GCM", "dtls", True, peer_fingerprint=SHA
    )
    engine.emit(
        ev.CallStateDidChange("v1", ev.CallState.CONFIRMED, 200, "OK"),
        ev.CallMediaDidChange("v1", media, "opus", 48000, False, False, sig),
        ev.CallSasDidBecomeReady("v1", "k7xq", "carol@sip.example.com", SHA, "new"),
    )
    settle()
    call.video_panel.camera_button.click()
    for _ in range(50):
        if call.video_panel.view.local_image is not None:
            break
        settle(100)
    slot = engine.video_slots.open("v1")
    slot.put(made_up_person())
    engine.emit(ev.CallVideoDidArrive("v1", 640, 480, 1))
    settle(200)
    save(call, out, "call-video")
    call.ended = True
    call.close()
    feed.stop()
    engine.video_slots.release("v1")


def shoot_language_page(out: Path) -> None:
    """The settings' Language page in Simplified Chinese, as a user who chose it sees it."""
    theme.follow_color_scheme(QApplication.instance(), Qt.ColorScheme.Light)
    use_language("zh_CN")
    bridge = EngineBridge(StandInEngine())
    ctx = UiContext(
        bridge,
        admin=AdminPolicy(),
        store=MemoryStore(),
        settings=Settings(language="zh_CN"),
        settings_file=TMP / "zh.json",
    )
    dialog = SettingsDialog(ctx)
    dialog.show()
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)
    save(dialog, out, "settings-language-zh_CN")
    dialog.language_combo.setCurrentIndex(0)  # "System default": the note in both languages
    save(dialog, out, "settings-language-zh_CN-changing")
    dialog.close()
    bridge.close()
    use_language("en")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--only", default="", help="write only the names starting with this")
    args = parser.parse_args()
    ONLY[0] = args.only
    app = QApplication([sys.argv[0]])
    app.setApplicationDisplayName("Softphone")
    app.setWindowIcon(app_icon())
    args.out.mkdir(parents=True, exist_ok=True)
    use_language("en")
    for scheme in (Qt.ColorScheme.Light, Qt.ColorScheme.Dark):
        shoot(args.out, scheme)
    shoot_language_page(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
