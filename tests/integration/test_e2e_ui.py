"""The desktop app in real end-to-end calls: this process's engine behind the real main
window (account from the settings and the secret store, its long-term identity from the
store, PeerTrust on the encrypted database, the history recorder, a synthetic camera as
the engine's video source) calls carol, a second softphone process (`engine_peer.py`),
through the Kamailio test bed. The SAS in the call window is carol's; "Verified" makes the
badge say so and the history row verified; "Mismatch" ends the call with the reason; a
contact verified before who presents another certificate raises the red warning first."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="the gui extra is not installed")

from engine_peer import EnginePeer
from helpers import MemoryStore, pattern_error
from PySide6.QtCore import Qt

from softphone.config.settings import AccountSettings, HistorySettings, SecretRef, Settings
from softphone.e2e.identity import generate_identity
from softphone.e2e.trust import PeerTrust
from softphone.engine import Engine
from softphone.engine import events as ev
from softphone.engine.gate import CallPolicy
from softphone.history.recorder import HistoryRecorder
from softphone.media.camera import CameraMode, SyntheticCamera
from softphone.media.camera_feed import CameraFeed
from softphone.policy.end_to_end import LABEL_E2E_VERIFIED
from softphone.storage.database import LocalDatabase
from softphone.ui.bridge import EngineBridge
from softphone.ui.call_window import CallWindow
from softphone.ui.context import UiContext
from softphone.ui.e2e_text import SasStage
from softphone.ui.main_window import MainWindow

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "tests" / "ui" / "screenshots"
CAROL = "sip:carol@127.0.0.1"


@dataclasses.dataclass
class App:
    window: MainWindow
    engine: Engine
    db: LocalDatabase
    trust: PeerTrust
    recorder: HistoryRecorder
    store: MemoryStore


@pytest.fixture
def app(qtbot, testbed, tmp_path) -> Iterator[App]:
    """The app as `ui.app.GuiApp` builds it, on a database and store of the test's own."""
    store = MemoryStore()
    store.set("sip", "alice@127.0.0.1", "alice-secret")
    db = LocalDatabase.open(tmp_path / "alice.sqlite3", store)
    trust = PeerTrust(db)
    camera = CameraFeed(lambda: SyntheticCamera(CameraMode(640, 480, 15)))
    engine = Engine(policy=CallPolicy(e2e_peers=trust.lookup), video_source=camera.engine_source)
    bridge = EngineBridge(engine)
    engine.subscribe(trust.on_event)
    recorder = HistoryRecorder(db, HistorySettings())
    engine.subscribe(recorder.on_event)
    engine.start()
    text = (REPO / "sip_profiles" / "testbed.toml").read_text()
    text = text.replace("5061", testbed.env["SIP_TLS_PORT"]).replace(
        'dtmf = "rfc4733"', 'dtmf = "rfc4733"\ne2e_video = true'
    )
    profile = tmp_path / "testbed-here.toml"
    profile.write_text(text)
    account = AccountSettings(str(profile), "alice", SecretRef("sip", "alice@127.0.0.1"))
    ctx = UiContext(
        bridge,
        settings=Settings(accounts=(account,)),
        settings_file=tmp_path / "settings.json",
        store=store,
        database=db,
        recorder=recorder,
        trust=trust,
        camera=camera,
    )
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.start()
    status = win.status_bar_widget.text_label
    qtbot.waitUntil(lambda: status.text().startswith("Registered"), timeout=15_000)
    try:
        yield App(win, engine, db, trust, recorder, store)
    finally:
        for window in list(win.call_windows.values()):
            window.close()
        win.close()
        bridge.close()
        engine.stop()
        camera.stop()
        trust.close()
        recorder.close()
        db.close()


def start_carol(peers, identity: str | None = None) -> EnginePeer:
    peers.peer("stop", "carol", check=False)
    carol = EnginePeer()
    carol.register("carol", "carol-secret", identity=identity, e2e_video=True)
    return carol


def call_carol(qtbot, app: App, carol: EnginePeer) -> tuple[CallWindow, dict]:
    win = app.window
    win.launcher.place(CAROL, win)
    qtbot.waitUntil(lambda: len(win.call_windows) == 1, timeout=10_000)
    [window] = win.call_windows.values()
    arrived = carol.wait("CallDidArrive")
    carol.command("Answer", call_id=arrived["call_id"])
    return window, arrived


def screenshot(window, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    assert window.grab().save(str(SCREENSHOTS / f"{name}.png"))


def test_e2e_ui_sas_matches_the_peer_verified_badge_and_history(qtbot, app, peers) -> None:
    carol = start_carol(peers)
    try:
        window, _arrived = call_carol(qtbot, app, carol)
        panel = window.sas_panel
        qtbot.waitUntil(lambda: panel.view.stage is SasStage.COMPARE, timeout=20_000)
        carols = carol.wait("CallSasDidBecomeReady")
        assert panel.sas_label.text() == " ".join(carols["sas"].upper())
        assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (not verified)"
        # video was negotiated: the camera button, then carol receives alice's camera
        video = window.video_panel
        qtbot.waitUntil(video.isVisible, timeout=5000)
        qtbot.mouseClick(video.camera_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: video.frames_shown >= 2, timeout=10_000)
        carol.wait("CallVideoDidArrive", timeout=15)
        # and alice sees carol's (her test pattern), large, through the engine's slot
        qtbot.waitUntil(lambda: video.remote_frames_shown >= 3, timeout=15_000)
        frame = video.view.frame
        assert (frame.width, frame.height) == (640, 480) and video.view.message == ""
        assert pattern_error(frame.rgb) < 25
        assert video.view.local_image is not None  # alice's camera, in the corner
        screenshot(window, "e2e_real_sas")
        qtbot.mouseClick(panel.match_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: window.badge.headline_label.text() == "✔✔  end-to-end encrypted (verified)",
            timeout=10_000,
        )
        assert panel.view.stage is SasStage.VERIFIED
        screenshot(window, "e2e_real_verified")
        call_id = window.call_id
        qtbot.mouseClick(window.hangup_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.ended, timeout=10_000)
        carol.wait("CallDidEnd")
        assert app.engine.remote_video(call_id) is None and video.view.frame is None
        assert app.recorder.flush()
        row = app.db.get_call(app.recorder.row_id_for(call_id))
        assert row.verified and row.end_to_end and row.encrypted_media
        # the history tab shows the exact label
        history = app.window.history_model
        qtbot.waitUntil(lambda: history.rowCount() == 1, timeout=5000)
        assert history.index(0, 5).data() == LABEL_E2E_VERIFIED
        assert app.trust.flush()
        # the certificate carol presented is the one now remembered as verified
        verified = app.trust.lookup("carol@127.0.0.1").verified_fingerprint
        assert verified.hex(":").upper() == window._sas_ready.peer_fingerprint
    finally:
        carol.close()


def test_e2e_ui_mismatch_ends_the_call_and_says_why(qtbot, app, peers) -> None:
    carol = start_carol(peers)
    try:
        window, _arrived = call_carol(qtbot, app, carol)
        panel = window.sas_panel
        qtbot.waitUntil(lambda: panel.view.stage is SasStage.COMPARE, timeout=20_000)
        qtbot.mouseClick(panel.mismatch_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.ended, timeout=10_000)
        assert panel.view.stage is SasStage.MISMATCH
        assert "did not match" in window.state_label.text()
        assert "did NOT match" in window.badge.end_to_end_label.text()
        screenshot(window, "e2e_real_mismatch")
        assert carol.wait("CallDidEnd")
        call_id = window.call_id
        assert app.recorder.flush()
        row = app.db.get_call(app.recorder.row_id_for(call_id))
        assert row.end_to_end and not row.verified
    finally:
        carol.close()


def test_e2e_ui_identity_changed_warning_comes_first(qtbot, app, peers) -> None:
    # alice verified carol's real certificate on an earlier call...
    real = generate_identity()
    app.trust.on_event(
        ev.CallVerificationDidChange(
            "earlier", "carol@127.0.0.1", real.fingerprint.hex(":").upper(), True, "confirmed"
        )
    )
    assert app.trust.flush()
    # ...and now someone answers as carol with another one
    carol = start_carol(peers, generate_identity().to_text().reveal())
    try:
        window, _arrived = call_carol(qtbot, app, carol)
        banner = window.identity_banner
        qtbot.waitUntil(banner.isVisible, timeout=20_000)
        qtbot.waitUntil(lambda: window.sas_panel.view.stage is SasStage.CHANGED, timeout=10_000)
        assert "CHANGED" in banner.title_label.text()
        assert "carol@127.0.0.1 presented a different identity" in banner.body_label.text()
        assert "different identity" in banner.accessibleDescription()
        assert window.badge.headline_label.text() == "✔✔  end-to-end encrypted (not verified)"
        screenshot(window, "e2e_real_identity_changed")
        qtbot.mouseClick(window.hangup_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.ended, timeout=10_000)
    finally:
        carol.close()
