"""The UI's translations: every message of the sources is in the shipped .ts files and
translated, the shipped .qm files are what those .ts files compile to, no translatable
text is an f-string, and the language is chosen from SOFTPHONE_LANG, the settings and
the system's locale."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from softphone.ui.i18n import translate
from softphone.ui.translations import LANG_ENV, language, language_for

UI = Path(__file__).resolve().parents[3] / "softphone" / "ui"
TRANSLATING = {"tr", "translate", "QT_TRANSLATE_NOOP"}


def _gui() -> None:
    if os.environ.get("SOFTPHONE_REQUIRE_GUI") != "1":
        pytest.importorskip("PySide6", reason="the gui extra is not installed")


def test_translations_complete_and_compiled() -> None:
    """New or changed strings fail here until `python -m softphone.ui.translations update`
    has put them in the .ts files, someone has translated them, and the .qm is rebuilt."""
    _gui()
    from softphone.ui.translations.__main__ import problems

    assert problems() == []


def _offending_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in TRANSLATING or not node.args:
            continue
        text = node.args[-1] if name != "tr" else node.args[0]
        if name == "translate" and len(node.args) >= 2:
            text = node.args[1]
        if isinstance(text, ast.JoinedStr):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_translations_no_f_string_is_marked_for_translation() -> None:
    offenders = [hit for p in sorted(UI.rglob("*.py")) for hit in _offending_calls(p)]
    assert offenders == []


def test_translations_scan_catches_an_f_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('x = self.tr(f"Calling {who}")\ny = translate("C", f"{n} calls")\n')
    assert _offending_calls(sample) == ["sample.py:1", "sample.py:2"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zh_CN.UTF-8", "zh_CN"),
        ("zh_SG", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh_TW.UTF-8", "en"),
        ("zh_Hant_HK", "en"),
        ("en_GB.UTF-8", "en"),
        ("de_DE@euro", "en"),
        ("C", "en"),
        ("", None),
        (None, None),
    ],
)
def test_translations_language_for_locale_names(name: str | None, expected: str | None) -> None:
    assert language_for(name) == expected


def test_translations_environment_wins_over_settings_and_system(monkeypatch) -> None:
    monkeypatch.setenv(LANG_ENV, "zh_CN")
    assert language("en", system="en_US") == "zh_CN"
    monkeypatch.setenv(LANG_ENV, "en")
    assert language("zh_CN", system="zh_CN") == "en"
    monkeypatch.delenv(LANG_ENV)
    assert language("zh_CN", system="en_US") == "zh_CN"
    assert language(None, system="zh_CN.UTF-8") == "zh_CN"
    assert language(None, system="C") == "en"


def test_translations_untranslated_text_is_the_english_source() -> None:
    assert translate("Nowhere", "Hello") == "Hello"
    assert translate("Nowhere", "%n calls", None, 3) == "3 calls"
