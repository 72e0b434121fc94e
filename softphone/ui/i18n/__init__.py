"""The app's translations: `softphone_<locale>.ts` (source) and `.qm` (what Qt loads).

`python -m softphone.ui.i18n` collects the strings of every module of `softphone.ui`
into each `.ts` (`pyside6-lupdate`, keeping what is translated already) and compiles
the `.qm` files (`pyside6-lrelease`). Build time only; nothing here runs in the app.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
UI = HERE.parent
LOCALES = ("zh_CN",)


def sources() -> list[Path]:
    """The modules whose strings are translated (`tr(` or `translate(`)."""
    found = []
    for path in sorted(UI.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if ".tr(" in text or "translate(" in text:
            found.append(path)
    return found


def tool(name: str) -> str:
    """`pyside6-<name>` next to this interpreter, else on PATH."""
    beside = Path(sys.executable).with_name(f"pyside6-{name}")
    return str(beside) if beside.exists() else (shutil.which(f"pyside6-{name}") or name)


def update(ts: Path, files: list[Path]) -> None:
    """Collect the strings into `ts`, keeping its translations; no line numbers (so a
    moved string does not change the file) and no strings the code dropped."""
    paths = [f"../{f.name}" for f in files]
    subprocess.run(
        [tool("lupdate"), "-locations", "none", "-no-obsolete", *paths, "-ts", ts.name],
        cwd=HERE,
        check=True,
    )


def release(ts: Path) -> None:
    subprocess.run(
        [tool("lrelease"), ts.name, "-qm", ts.with_suffix(".qm").name], cwd=HERE, check=True
    )


def main() -> int:
    files = sources()
    for locale in LOCALES:
        ts = HERE / f"softphone_{locale}.ts"
        update(ts, files)
        release(ts)
    return 0
