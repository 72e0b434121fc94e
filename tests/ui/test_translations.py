"""Translations: every `self.tr` string of the desktop app has a finished Simplified
Chinese translation that keeps its placeholders, the compiled .qm matches the .ts, and
the app shows the translation when the locale is zh_CN (English is the source text).

How to update after changing strings (the commands the test runs itself):

    pyside6-lupdate softphone/ui/*.py -ts softphone/ui/i18n/softphone_zh_CN.ts \\
        -no-obsolete -locations none -target-language zh_CN
    # translate every <translation type="unfinished"> (Qt Linguist: pyside6-linguist)
    pyside6-lrelease softphone/ui/i18n/softphone_zh_CN.ts -qm softphone/ui/i18n/softphone_zh_CN.qm
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers_ui import context
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from softphone.ui.app import I18N_DIR, install_translations

TS = I18N_DIR / "softphone_zh_CN.ts"
QM = I18N_DIR / "softphone_zh_CN.qm"
UI = Path(__file__).resolve().parents[2] / "softphone" / "ui"
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(path).exists():
        pytest.skip(f"{name} not installed (PySide6's tools)")
    return path


def _messages(ts: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(ts).getroot()
    return [
        (ctx.findtext("name"), m.findtext("source"), m.find("translation"))
        for ctx in root.iter("context")
        for m in ctx.iter("message")
    ]


def test_translations_zh_cn_complete_with_placeholders_kept() -> None:
    messages = _messages(TS)
    assert messages
    for context_name, source, translation in messages:
        where = f"{context_name}: {source!r}"
        assert translation.get("type") is None, f"not finished: {where}"
        assert translation.text, f"empty: {where}"
        assert sorted(PLACEHOLDER.findall(source)) == sorted(
            PLACEHOLDER.findall(translation.text)
        ), f"placeholders differ: {where}"


def test_translations_cover_every_tr_string_and_the_qm_is_current(tmp_path) -> None:
    ts = tmp_path / TS.name
    shutil.copy(TS, ts)
    files = sorted(str(p) for p in UI.glob("*.py"))
    subprocess.run(
        [_tool("pyside6-lupdate"), *files, "-ts", str(ts), "-no-obsolete", "-locations", "none"],
        check=True,
        capture_output=True,
    )
    found = {(c, s) for c, s, _ in _messages(ts)}
    assert found == {(c, s) for c, s, _ in _messages(TS)}, "run pyside6-lupdate (see above)"
    qm = tmp_path / QM.name
    subprocess.run(
        [_tool("pyside6-lrelease"), "-silent", str(TS), "-qm", str(qm)],
        check=True,
        capture_output=True,
    )
    assert qm.read_bytes() == QM.read_bytes(), "run pyside6-lrelease (see above)"


def test_translations_zh_cn_shown_at_run_time(qtbot, bridge, tmp_path, monkeypatch) -> None:
    from softphone.ui import settings_audio
    from softphone.ui.settings_dialog import SettingsDialog

    monkeypatch.setattr(settings_audio.AudioPage, "start_meter", lambda self: None)
    app = QApplication.instance()
    installed = install_translations(app, QLocale("zh_CN"))
    try:
        assert installed, "no zh_CN translation loaded"
        dialog = SettingsDialog(context(bridge, tmp_path))
        qtbot.addWidget(dialog)
        titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        assert "音频" in titles and "摄像头" in titles
        assert dialog.audio_page.tone_button.text() == "播放测试音"
        assert dialog.audio_page.microphone_combo.itemText(0) == "系统默认"
    finally:
        for translator in installed:
            app.removeTranslator(translator)
    english = SettingsDialog(context(bridge, tmp_path))
    qtbot.addWidget(english)
    assert english.audio_page.tone_button.text() == "Play a test tone"
