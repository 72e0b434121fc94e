"""The desktop app (PySide6). GUI thread only, unless a module says otherwise.

Windows and widgets speak to the engine through `bridge.EngineBridge` (commands in,
events out as Qt signals) and never import pjsua2. Pure helpers that decide what a
widget shows (`security_text`, `dial_advice`, `quality`, ...) import no Qt, so they
are tested on their own. Start it with `softphone gui` (see `app.run_gui`).
"""
