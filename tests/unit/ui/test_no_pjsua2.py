"""The UI never imports pjsua2: only softphone.engine may (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[3] / "softphone" / "ui"


def _pjsua2_references(path: Path) -> list[str]:
    """`import pjsua2...`, `from pjsua2... import`, and "pjsua2" as a string constant
    (importlib.import_module("pjsua2"), __import__("pjsua2"))."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "pjsua2"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pjsua2":
            found.append(f"from {node.module}")
        elif isinstance(node, ast.Constant) and _names_pjsua2(node.value):
            found.append(repr(node.value))
    return found


def _names_pjsua2(value: object) -> bool:
    return isinstance(value, str) and (value == "pjsua2" or value.startswith("pjsua2."))


def test_ui_package_has_modules_to_check() -> None:
    assert len(list(UI.rglob("*.py"))) >= 2


def test_no_ui_module_imports_pjsua2() -> None:
    offenders = {str(p.relative_to(UI)): _pjsua2_references(p) for p in UI.rglob("*.py")}
    assert {name: refs for name, refs in offenders.items() if refs} == {}


def test_the_scan_catches_each_way_of_importing(tmp_path: Path) -> None:
    for source in ("import pjsua2", "from pjsua2 import Call", "__import__('pjsua2')"):
        sample = tmp_path / "sample.py"
        sample.write_text(f'"""never imports pjsua2."""\n{source}\n')
        assert _pjsua2_references(sample), source
    sample.write_text('"""The UI never imports pjsua2."""\n')
    assert _pjsua2_references(sample) == []
