"""The translations stay complete: every string the code marks is in each .ts, translated,
with the same {placeholders}; the committed .qm is the .ts compiled; Qt loads it."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from softphone.ui import i18n

TS_FILES = [i18n.HERE / f"softphone_{locale}.ts" for locale in i18n.LOCALES]


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    out = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            out[(name, message.findtext("source"))] = message.find("translation")
    return out


def _lupdate_available() -> bool:
    return Path(i18n.tool("lupdate")).exists() or shutil.which(i18n.tool("lupdate")) is not None


@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.stem)
def test_translations_every_string_translated_with_its_placeholders(ts: Path) -> None:
    messages = _messages(ts)
    assert messages, f"{ts.name} is empty"
    for (context, source), translation in messages.items():
        assert translation.get("type") not in ("unfinished", "vanished", "obsolete"), (
            f"{ts.name}: {context}: {source!r} is not translated"
        )
        assert translation.text, f"{ts.name}: {context}: {source!r} has an empty translation"
        placeholders = sorted(re.findall(r"\{\d+\}", source))
        assert sorted(re.findall(r"\{\d+\}", translation.text)) == placeholders, (
            f"{ts.name}: {source!r}: the translation does not keep {placeholders}"
        )


@pytest.mark.skipif(not _lupdate_available(), reason="pyside6-lupdate not installed")
@pytest.mark.parametrize("ts", TS_FILES, ids=lambda p: p.stem)
def test_translations_cover_every_marked_string_and_the_qm_is_current(
    ts: Path, tmp_path: Path
) -> None:
    copy = tmp_path / ts.name
    shutil.copy(ts, copy)
    paths = [str(f) for f in i18n.sources()]
    subprocess.run(
        [i18n.tool("lupdate"), "-locations", "none", "-no-obsolete", *paths, "-ts", str(copy)],
        check=True,
        capture_output=True,
    )
    assert _messages(copy).keys() == _messages(ts).keys(), (
        "strings changed in the code: run `python -m softphone.ui.i18n` and translate them"
    )
    qm = tmp_path / "out.qm"
    subprocess.run(
        [i18n.tool("lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True
    )
    assert qm.read_bytes() == ts.with_suffix(".qm").read_bytes(), (
        f"{ts.with_suffix('.qm').name} is older than {ts.name}: run `python -m softphone.ui.i18n`"
    )


def test_translations_qt_loads_the_chinese_labels(request) -> None:
    qtcore = pytest.importorskip("PySide6.QtCore")
    app = request.getfixturevalue("qapp")  # pytest-qt's QApplication, shared with tests/ui
    translator = qtcore.QTranslator()
    assert translator.load(qtcore.QLocale("zh_CN"), "softphone", "_", str(i18n.HERE))
    app.installTranslator(translator)
    try:
        from softphone.policy.end_to_end import LABEL_E2E_VERIFIED
        from softphone.ui.e2e_text import label_text

        assert label_text(LABEL_E2E_VERIFIED) == "端到端加密（已验证）"
    finally:
        app.removeTranslator(translator)
    assert label_text(LABEL_E2E_VERIFIED) == LABEL_E2E_VERIFIED
