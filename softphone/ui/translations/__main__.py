"""`python -m softphone.ui.translations update`: refresh the .ts files from the UI's
sources (pyside6-lupdate) and compile them to the shipped .qm files (pyside6-lrelease).

Run it after changing any user-visible string in `softphone/ui`; new strings arrive in
`softphone_<lang>.ts` as unfinished, to translate (Qt Linguist, `pyside6-linguist`, or
any editor), then run it again to compile. `check` says what is untranslated or stale
without writing anything (tests/unit/ui/test_translations.py runs the same check).
Locations are not written into the .ts files, so moving code does not churn them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from softphone.ui.translations import CATALOGUE, LANGUAGES, SOURCE_LANGUAGE, catalogue_dir

UI_DIR = Path(__file__).resolve().parents[1]
# What lupdate writes per language: everything for a translation; for English, the
# source language, only the messages with a count, whose singular needs writing out
# ("%n contacts" -> "1 contact").
EXTRA = {SOURCE_LANGUAGE: ("-pluralonly",)}
CATALOGUES = tuple(LANGUAGES)


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease: the binaries inside PySide6, else on PATH."""
    try:
        import PySide6

        inside = Path(PySide6.__file__).parent / name
        if inside.exists():
            return str(inside)
    except ImportError:
        pass
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install the gui extra (PySide6)")
    return found


def sources() -> list[Path]:
    """Every module of the UI (this package's own tool excluded), in a stable order."""
    here = Path(__file__).resolve().parent
    return sorted(p for p in UI_DIR.rglob("*.py") if here not in p.parents)


def ts_path(lang: str, directory: Path | None = None) -> Path:
    return (directory or catalogue_dir()) / f"{CATALOGUE}_{lang}.ts"


def lupdate(ts: Path, lang: str) -> None:
    files = [str(p) for p in sources()]
    args = ["-locations", "none", "-no-obsolete", *EXTRA.get(lang, ())]
    args += ["-source-language", SOURCE_LANGUAGE]
    args += ["-target-language", lang, *files, "-ts", str(ts)]
    subprocess.run([tool("lupdate"), "-silent", *args], check=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def messages(ts: Path) -> dict[tuple[str, str, str], ET.Element]:
    """(context, source, comment) -> the <message> element."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            found[key] = message
    return found


def unfinished(ts: Path) -> list[str]:
    """Messages with no translation yet (or an empty plural form), as 'context: source'."""
    missing = []
    for (context, source, _), message in messages(ts).items():
        translation = message.find("translation")
        forms = [] if translation is None else list(translation.iter("numerusform"))
        texts = [f.text for f in forms] if forms else [getattr(translation, "text", None)]
        if translation is None or translation.get("type") or not all(texts):
            missing.append(f"{context}: {source}")
    return missing


def problems() -> list[str]:
    """What `check` reports: strings missing from a .ts, untranslated ones, stale .qm."""
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in CATALOGUES:
            shipped = ts_path(lang)
            fresh = ts_path(lang, Path(tmp))
            if shipped.exists():
                shutil.copyfile(shipped, fresh)
            lupdate(fresh, lang)
            old = set(messages(shipped)) if shipped.exists() else set()
            new = set(messages(fresh))
            found += [f"{lang}: not in {shipped.name}: {c}: {s}" for c, s, _ in sorted(new - old)]
            found += [f"{lang}: no longer in the sources: {c}: {s}" for c, s, _ in old - new]
            found += [f"{lang}: untranslated: {m}" for m in unfinished(fresh)]
            qm = shipped.with_suffix(".qm")
            compiled = Path(tmp) / qm.name
            if shipped.exists():
                lrelease(shipped, compiled)
            if not qm.exists() or not compiled.exists():
                found.append(f"{lang}: {qm.name} is missing")
            elif qm.read_bytes() != compiled.read_bytes():
                found.append(f"{lang}: {qm.name} is stale: run the update")
    return found


def update() -> None:
    for lang in CATALOGUES:
        ts = ts_path(lang)
        lupdate(ts, lang)
        lrelease(ts, ts.with_suffix(".qm"))
        left = unfinished(ts)
        print(f"{ts.name}: {len(messages(ts))} messages, {len(left)} untranslated")
        for m in left:
            print(f"  untranslated: {m}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m softphone.ui.translations")
    parser.add_argument("command", choices=("update", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
        return 0
    found = problems()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
