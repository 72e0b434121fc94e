"""The UI's words through Qt's translation (`.ts`/`.qm`, see `ui.translations`). Any thread.

Widgets call `self.tr("…")`; the Qt-free text helpers (`status_text`, `security_text`,
...) call `translate("Context", "…")` from here, which is
`QCoreApplication.translate` when PySide6 is installed and the English source text
otherwise, so those helpers still import no Qt and work without a window (no
translator installed: English). `pyside6-lupdate` finds both forms.

Translatable text is whole sentences with named placeholders filled in afterwards
(`translate("Ctx", "Calling {target}…").format(target=...)`), never an f-string,
and counts go through Qt's plural forms: `translate("Ctx", "%n calls", None, n)` —
the count must be passed positionally, lupdate does not read keyword arguments.
"""

from __future__ import annotations

try:
    from PySide6.QtCore import QCoreApplication
except ImportError:  # the CLI without the `gui` extra
    QCoreApplication = None  # type: ignore[assignment,misc]


def translate(context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`source` in the UI's language; "%n" becomes `n` when `n` is given."""
    if QCoreApplication is None:
        return source.replace("%n", str(n)) if n >= 0 else source
    return QCoreApplication.translate(context, source, disambiguation, n)


def QT_TRANSLATE_NOOP(context: str, source: str, disambiguation: str | None = None) -> str:
    """Marks `source` for lupdate where it is defined; `translate` it where it is shown."""
    del context, disambiguation
    return source
