"""Settings → Language: pick a language in the real dialog, save, and the choice is in
the settings file and in force for the windows opened after it (the dialog says that
windows already open keep theirs until a restart); the administrator can lock it."""

from __future__ import annotations

import pytest
from helpers_ui import context

from softphone.config.admin_policy import parse_admin_policy
from softphone.config.settings import Settings, load_settings
from softphone.ui.settings_dialog import SettingsDialog
from softphone.ui.translations import LANG_ENV, current_language, use_language

NOTE_EN = "Takes full effect after a restart"
NOTE_ZH = "重新启动后完全生效"


@pytest.fixture
def no_env(monkeypatch):
    """Without SOFTPHONE_LANG (which would win over the setting), the system's English."""
    monkeypatch.delenv(LANG_ENV)
    monkeypatch.setenv("LANG", "C")
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setattr("softphone.ui.translations.system_language", lambda system=None: "en")
    monkeypatch.setattr("softphone.ui.settings_dialog.system_language", lambda: "en")


def _open(qtbot, ctx) -> SettingsDialog:
    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.tabs.setCurrentIndex(dialog.tabs.count() - 1)
    return dialog


def _items(dialog: SettingsDialog) -> list[str]:
    combo = dialog.language_combo
    return [combo.itemText(i) for i in range(combo.count())]


def _save(qtbot, dialog: SettingsDialog) -> None:
    with qtbot.waitSignal(dialog.settingsSaved, timeout=5000):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()


def test_settings_language_switches_persists_and_applies_to_new_windows(
    qtbot, bridge, tmp_path, screenshot, no_env
) -> None:
    ctx = context(bridge, tmp_path)
    dialog = _open(qtbot, ctx)
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Language"
    # Each language in its own words; "System default" in the language in use.
    assert _items(dialog) == ["System default (English)", "English", "简体中文"]
    assert dialog.language_combo.currentData() is None
    assert dialog.language_note.text() == "This is the language in use."
    assert not dialog.language_env_note.isVisible()

    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
    note = dialog.language_note.text()
    assert NOTE_EN in note and NOTE_ZH in note  # said in both: the reader may know only one
    screenshot(dialog, "settings_language_choosing_zh_CN")
    _save(qtbot, dialog)

    assert load_settings(ctx.settings_file).language == "zh_CN"
    assert ctx.settings.language == "zh_CN"
    assert current_language() == "zh_CN"
    again = _open(qtbot, ctx)  # a window opened after saving speaks the new language
    assert again.windowTitle() == "设置"
    assert [again.tabs.tabText(i) for i in range(again.tabs.count())] == [
        "账户", "安全", "隐私", "通话", "音频", "摄像头", "语言",
    ]  # fmt: skip
    assert _items(again) == ["系统默认（English）", "English", "简体中文"]
    assert again.language_combo.currentData() == "zh_CN"
    assert again.language_note.text() == "这是当前使用的语言。"
    screenshot(again, "settings_language_zh_CN")

    again.language_combo.setCurrentIndex(0)  # back to the system's (English here)
    assert NOTE_ZH in again.language_note.text() and NOTE_EN in again.language_note.text()
    _save(qtbot, again)
    assert load_settings(ctx.settings_file).language is None
    assert "language" not in ctx.settings_file.read_text()
    assert current_language() == "en"
    assert _open(qtbot, ctx).windowTitle() == "Settings"


def test_settings_language_environment_variable_is_said_to_win(
    qtbot, bridge, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(LANG_ENV, "zh_CN")
    use_language("zh_CN")
    dialog = _open(qtbot, context(bridge, tmp_path))
    assert dialog.language_env_note.isVisible()
    assert "SOFTPHONE_LANG=zh_CN" in dialog.language_env_note.text()
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
    # SOFTPHONE_LANG decides: choosing English changes nothing in this run
    assert dialog.language_note.text() == "这是当前使用的语言。"


def test_settings_language_locked_by_the_administrator(qtbot, bridge, tmp_path, no_env) -> None:
    policy = 'version = 1\n[ui]\nlanguage = "zh_CN"\n'
    admin = parse_admin_policy(policy, "/etc/xdg/softphone/policy.toml", tmp_path / "policy.toml")
    ctx = context(bridge, tmp_path, admin=admin, settings=Settings(language="en"))
    dialog = _open(qtbot, ctx)
    assert not dialog.language_combo.isEnabled()
    assert dialog.language_combo.currentData() == "zh_CN"  # the administrator's value
    label = dialog.lock_labels["language"]
    assert label.isVisible() and "policy.toml" in label.text()
    assert "administrator" in dialog.language_combo.toolTip()
    assert dialog.chosen_settings().language == "en"  # the user's own, kept underneath
    _save(qtbot, dialog)
    assert load_settings(ctx.settings_file).language == "en"
    assert current_language() == "zh_CN"  # what is in force is the administrator's
