"""The main window in Simplified Chinese and in English: the translation is loaded from
the shipped .qm and reaches the widgets (titles, tabs, menus, the dial pad's verdict,
the status line, accessible names), and English stays the default."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers_ui import context
from PySide6.QtCore import Qt

from softphone.storage.database import CallRecord, Direction
from softphone.ui.main_window import MainWindow
from softphone.ui.translations import LANG_ENV, language, use_language

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RECORDS = [
    CallRecord(T0, 754.0, Direction.OUTGOING, "answered", True, True, "sip:dr.li@clinic.example",
               "call quality: 5/5 (excellent)"),
    CallRecord(T0 - timedelta(hours=2), 0.0, Direction.INCOMING, "missed", False, False,
               "sip:+12125550100@clinic.example;user=phone"),
    CallRecord(T0 - timedelta(days=1), 0.0, Direction.OUTGOING, "failed: 503 Service Unavailable",
               False, False, "sip:wang@clinic.example"),
]  # fmt: skip


def _save(path: Path) -> None:
    """Refresh the README's picture when asked to (SOFTPHONE_UPDATE_DOCS_SCREENSHOTS=1):
    a plain test run leaves the committed files alone."""
    if os.environ.get("SOFTPHONE_UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)


def _window(qtbot, ctx) -> MainWindow:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _tabs(win: MainWindow) -> list[str]:
    return [win.tabs.tabText(i) for i in range(win.tabs.count())]


def test_main_window_in_simplified_chinese(qtbot, bridge, tmp_path, screenshot, monkeypatch):
    monkeypatch.setenv(LANG_ENV, "zh_CN.UTF-8")
    assert use_language(language()) == "zh_CN"
    win = _window(qtbot, context(bridge, tmp_path))
    assert win.windowTitle() == "软电话"
    assert _tabs(win) == ["拨号盘", "今天", "联系人", "通话记录"]
    assert win.menuBar().actions()[0].text() == "软电话(&S)"
    assert win.settings_action.text() == "设置(&S)…"
    assert win.search.search_edit.placeholderText() == "搜索联系人和通话记录…"
    assert win.status_bar_widget.retry_button.text() == "重试"
    assert win.status_bar_widget.text_label.text().startswith("没有 SIP 账户")
    assert win.dial_pad.call_button.text() == "呼叫"
    assert win.dial_pad.backspace_button.accessibleName() == "删除最后一个字符"
    assert win.dial_pad.verdict_label.text() == "输入或粘贴号码或 SIP 地址"
    win.resize(640, 720)
    _save(screenshot(win, "main_window_zh_CN"))
    win.dial_pad.set_number("+1 212 555 0100")
    assert win.dial_pad.verdict_label.text().startswith("允许 · 将拨打 +12125550100")
    assert win.history_view.call_back_button.text() == "回拨"
    assert win.history_model.headerData(0, Qt.Orientation.Horizontal) == "时间"
    assert win.today_view.call_button.text() == "立即呼叫"
    win.history_model.set_records(RECORDS)
    win.tabs.setCurrentWidget(win.history_view)
    cells = [win.history_model.index(0, c).data() for c in range(6)]
    assert cells[1:] == [
        "↗ 呼出",
        "dr.li@clinic.example",
        "12:34",
        "已接听 · 质量 5/5",
        "端到端加密（已验证）",  # the exact label: a verified call was end to end
    ]
    assert win.history_model.index(2, 4).data() == "失败：503 Service Unavailable"
    _save(screenshot(win, "main_window_history_zh_CN"))


def test_main_window_in_english_by_default(qtbot, bridge, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(LANG_ENV)
    assert use_language(language(None, system="C")) == "en"
    win = _window(qtbot, context(bridge, tmp_path))
    assert win.windowTitle() == "Softphone"
    assert _tabs(win) == ["Dial pad", "Today", "Contacts", "History"]
    assert win.search.search_edit.placeholderText() == "Search contacts and history…"
    assert win.dial_pad.verdict_label.text() == "Type or paste a number or SIP address"
    assert win.dial_pad.backspace_button.accessibleName() == "Delete the last character"


def test_english_spells_out_singulars(qtbot, bridge, tmp_path) -> None:
    from softphone.ui.i18n import translate

    one = translate("TodayView", "Imported %n appointments.", None, 1)
    many = translate("TodayView", "Imported %n appointments.", None, 3)
    assert (one, many) == ("Imported 1 appointment.", "Imported 3 appointments.")
    use_language("zh_CN")
    assert translate("TodayView", "Imported %n appointments.", None, 1) == "已导入 1 个预约。"


def test_engine_and_policy_reasons_in_simplified_chinese(
    qtbot, bridge, fake_engine, tmp_path, screenshot, monkeypatch
) -> None:
    """Reasons that come from the engine and the dial policy are shown by their codes in
    Chinese; the server's SIP reason phrase stays as the server sent it."""
    from softphone.engine import events as ev

    monkeypatch.setenv(LANG_ENV, "zh_CN")
    assert use_language(language()) == "zh_CN"
    win = _window(qtbot, context(bridge, tmp_path, role="kiosk"))
    fake_engine.emit(
        ev.AccountRegistrationDidChange(
            "acc1", ev.RegistrationState.FAILED, 401,
            "wrong user name or password (401 Unauthorized)",
            failure=ev.RegistrationFailure.CREDENTIALS, sip_reason="Unauthorized",
        )
    )  # fmt: skip
    status = win.status_bar_widget.text_label
    qtbot.waitUntil(lambda: "用户名或密码错误（401 Unauthorized）" in status.text())
    assert "wrong" not in status.text()
    win.dial_pad.set_number("+44 20 7946 0958")
    verdict = win.dial_pad.verdict_label.text()
    assert verdict.startswith("不允许")
    assert "角色“kiosk”不允许拨打国内、国际电话" in verdict
    screenshot(win, "main_window_reasons_zh_CN")
    fake_engine.emit(
        ev.CallDialWasRefused(
            "c9", "+19005550100", "call", "denied",
            "premium-rate number (US): premium calls are not allowed for kiosk", "premium",
            code="class_not_allowed", args=(("classes", "premium"), ("role", "kiosk")),
        )
    )  # fmt: skip
    qtbot.waitUntil(lambda: "角色“kiosk”不允许拨打高额付费电话" in win.banner.text())
