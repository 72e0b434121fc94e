"""The SVG icons load and scale (high DPI), the window and tray use them, and the tray's
icon follows the state: account, ringing, in a call; its menu holds the quick actions."""

from __future__ import annotations

from helpers_ui import context
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from softphone.engine import events as ev
from softphone.engine.events import RegistrationState
from softphone.ui import app_icons
from softphone.ui.main_window import MainWindow
from softphone.ui.tray import TrayIcon

ASSETS = app_icons.icon_path("softphone").parents[3] / "assets"


def test_icons_are_svg_and_render_sharp_at_any_size(qtbot) -> None:
    names = ["softphone", *(f"status-{s}" for s in app_icons.STATES)]
    for name in names:
        path = app_icons.icon_path(name)
        assert path.read_text().startswith("<svg ") and "<title>" in path.read_text()
    for icon in (app_icons.app_icon(), *(app_icons.status_icon(s) for s in app_icons.STATES)):
        assert not icon.isNull()
        for size in (16, 48, 256):
            image = icon.pixmap(QSize(size, size)).toImage()
            assert image.width() == size  # drawn at that size, not a scaled bitmap
    # Rendered for a 2x screen: twice the pixels.
    hidpi = app_icons.app_icon().pixmap(QSize(32, 32), 2.0)
    assert hidpi.width() == 64 and hidpi.devicePixelRatio() == 2.0


def test_icons_desktop_file_names_the_icon_and_the_handlers() -> None:
    entry = (ASSETS / "softphone.desktop").read_text()
    assert "Icon=softphone\n" in entry
    for scheme in ("tel", "sip", "sips", "callto"):
        assert f"x-scheme-handler/{scheme};" in entry


def test_tray_state_pure() -> None:
    assert app_icons.tray_state("ok", ringing=False, in_call=False) == "registered"
    assert app_icons.tray_state("error", ringing=False, in_call=False) == "error"
    assert app_icons.tray_state("busy", ringing=False, in_call=False) == "unregistered"
    assert app_icons.tray_state("ok", ringing=False, in_call=True) == "in-call"
    assert app_icons.tray_state("ok", ringing=True, in_call=True) == "ringing"


def test_tray_icon_follows_the_account_and_calls(qtbot, bridge, fake_engine, tmp_path) -> None:
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    tray = TrayIcon(win)  # built even where no tray is shown (Xvfb has none)
    assert tray.state == "unregistered"
    registered = ev.AccountRegistrationDidChange("acc1", RegistrationState.REGISTERED, 200, "OK")
    fake_engine.emit(registered)
    qtbot.waitUntil(lambda: tray.state == "registered")
    fake_engine.emit(ev.CallDidArrive("in1", "acc1", "sip:bob@example.org", "Bob", False))
    qtbot.waitUntil(lambda: tray.state == "ringing")
    win.incoming["in1"].answer_button.click()
    fake_engine.emit(ev.CallStateDidChange("in1", ev.CallState.CONFIRMED, 200, "OK"))
    qtbot.waitUntil(lambda: tray.state == "in-call")
    fake_engine.emit(ev.CallDidEnd("in1", 200, "Normal call clearing", 3.0))
    qtbot.waitUntil(lambda: tray.state == "registered")
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts[0] == "&Show Softphone" and "&Answer" in texts and texts[-1] == "&Quit"
    assert tray.toolTip() == "Softphone"


def test_tray_show_brings_the_window_back(qtbot, bridge, tmp_path) -> None:
    win = MainWindow(context(bridge, tmp_path))
    qtbot.addWidget(win)
    tray = TrayIcon(win)
    win.hide()
    tray.show_action.trigger()
    assert win.isVisible()
    assert QApplication.instance() is not None
