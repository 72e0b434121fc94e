"""What the desktop app loads before its first window: not the engine. `softphone gui`'s
imports and `GuiApp.start()` leave pjsua2 (and the engine's other heavy modules, the
iCalendar reader, cryptography's x509, aiortc) unloaded; the real engine is imported
and started once the main window has painted, and then gets what was submitted to it
before. Each case runs in a fresh interpreter: this one has loaded everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pjsua2", "softphone.engine.engine", "aiortc", "av", "vobject", "cryptography.x509")

CHILD = """
import json, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
import softphone.ui.app as gui_app
from softphone.cli import main  # what `softphone gui` imports
heavy = {heavy!r}
out = {{"after_import": [m for m in heavy if m in sys.modules]}}
gui = gui_app.GuiApp(interactive=False)
window = gui.start()
out["after_start"] = [m for m in heavy if m in sys.modules]
gui.show()
deadline = time.monotonic() + 20
while gui.engine.engine is None and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
out["engine_running"] = gui.engine.engine is not None
out["pjsua2_after_show"] = "pjsua2" in sys.modules
# the devices chosen in settings, submitted in start(), reached the engine
out["status"] = window.status_bar_widget.text_label.text()
gui.shutdown()
print("RESULT " + json.dumps(out))
"""


def test_engine_is_imported_only_after_the_first_window(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "SOFTPHONE_STORE_PASSPHRASE": "start order passphrase",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        env[var] = str(tmp_path / sub)
    settings = tmp_path / "config" / "softphone" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"format": "softphone-settings", "version": 1, "accounts": []}))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD.format(heavy=HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stderr[-3000:]
    out = json.loads(lines[-1][7:])
    assert out["after_import"] == []
    assert out["after_start"] == []
    assert out["engine_running"] and out["pjsua2_after_show"]
    assert "No SIP account" in out["status"]
