"""Colours and small styling helpers shared by the windows. GUI thread (the colour
arithmetic is pure).

Colours carry meaning only together with words (the badge says "NOT ENCRYPTED", not
just red), and every text/background pair keeps a contrast ratio of at least 4.5:1
(WCAG AA) in both palettes, light and dark (a unit test checks them). The palette
follows the operating system's colour scheme (`follow_color_scheme`: Qt 6.5's
`QStyleHints.colorScheme` and its change signal); everything painted with `paint`
is repainted when the scheme changes. Where the platform gives Qt no dark palette of
its own (X11 without a desktop theme), a dark one is set on the Fusion style.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# (background, text, border)
LIGHT: dict[str, tuple[str, str, str]] = {
    "ok": ("#e3f4e6", "#0f5223", "#2e7d32"),
    "encrypted": ("#e3f4e6", "#0f5223", "#2e7d32"),
    "end_to_end": ("#dff0ff", "#0b3d6e", "#1565c0"),
    "error": ("#fde7e7", "#8a1010", "#c62828"),
    "unencrypted": ("#c62828", "#ffffff", "#8a1010"),
    "busy": ("#fff6dc", "#5d4300", "#b28704"),
    "fair": ("#fff6dc", "#5d4300", "#b28704"),
    "info": ("#eef1f4", "#222a33", "#8795a1"),
    "pending": ("#eef1f4", "#222a33", "#8795a1"),
    "unknown": ("#eef1f4", "#222a33", "#8795a1"),
    "good": ("#e3f4e6", "#0f5223", "#2e7d32"),
    "poor": ("#fde7e7", "#8a1010", "#c62828"),
    "allowed": ("#e3f4e6", "#0f5223", "#2e7d32"),
    "needs_pin": ("#fff6dc", "#5d4300", "#b28704"),
    "denied": ("#fde7e7", "#8a1010", "#c62828"),
    "empty": ("#ffffff", "#4a5560", "#ffffff"),
    "no_account": ("#eef1f4", "#222a33", "#8795a1"),
}
DARK: dict[str, tuple[str, str, str]] = {
    "ok": ("#143a20", "#a8e6b4", "#4caf50"),
    "encrypted": ("#143a20", "#a8e6b4", "#4caf50"),
    "end_to_end": ("#0e2f4f", "#acd6ff", "#42a5f5"),
    "error": ("#451618", "#ffb8b3", "#ef5350"),
    "unencrypted": ("#b71c1c", "#ffffff", "#ff8a80"),
    "busy": ("#3d3006", "#ffe08a", "#c9a227"),
    "fair": ("#3d3006", "#ffe08a", "#c9a227"),
    "info": ("#2c3238", "#e1e7ed", "#6b7785"),
    "pending": ("#2c3238", "#e1e7ed", "#6b7785"),
    "unknown": ("#2c3238", "#e1e7ed", "#6b7785"),
    "good": ("#143a20", "#a8e6b4", "#4caf50"),
    "poor": ("#451618", "#ffb8b3", "#ef5350"),
    "allowed": ("#143a20", "#a8e6b4", "#4caf50"),
    "needs_pin": ("#3d3006", "#ffe08a", "#c9a227"),
    "denied": ("#451618", "#ffb8b3", "#ef5350"),
    "empty": ("#1e1f22", "#b8c2cc", "#1e1f22"),
    "no_account": ("#2c3238", "#e1e7ed", "#6b7785"),
}
PALETTE = LIGHT  # the palette in force (`follow_color_scheme` switches it)

# The window and field colours of the dark Qt palette (where the platform has none).
DARK_WINDOW = "#2b2d30"
DARK_BASE = "#1e1f22"
DARK_TEXT = "#e6e6e6"


def _luminance(colour: str) -> float:
    rgb = QColor(colour)
    channels = []
    for c in (rgb.redF(), rgb.greenF(), rgb.blueF()):
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two colours (1 to 21)."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def is_dark() -> bool:
    return PALETTE is DARK


def colours(kind: str) -> tuple[str, str, str]:
    """(background, text, border) of `kind` in the palette in force."""
    return PALETTE.get(kind, PALETTE["info"])


def paint(widget: QWidget, kind: str, *, border: int = 1, radius: int = 4, pad: int = 6) -> None:
    """Give `widget` the colours of `kind` (a level, severity or verdict name)."""
    bg, fg, edge = colours(kind)
    name = widget.objectName() or f"w{id(widget)}"
    widget.setObjectName(name)
    widget.setStyleSheet(
        f"#{name} {{ background: {bg}; color: {fg}; border: {border}px solid {edge}; "
        f"border-radius: {radius}px; padding: {pad}px; }}"
        f"#{name} QLabel {{ color: {fg}; background: transparent; border: none; }}"
    )
    widget.setProperty("kind", kind)
    widget.setProperty("themePaint", (kind, border, radius, pad))


def paint_text(widget: QWidget, kind: str) -> None:
    """Only the text colour of `kind` (a note on the window's own background)."""
    widget.setStyleSheet(f"color: {colours(kind)[1]};")
    widget.setProperty("themeText", kind)


def repaint_all() -> None:
    """Paint again, in the palette now in force, everything `paint`/`paint_text` painted."""
    for widget in QApplication.allWidgets():
        painted = widget.property("themePaint")
        if painted:
            kind, border, radius, pad = painted
            paint(widget, kind, border=border, radius=radius, pad=pad)
        text = widget.property("themeText")
        if text:
            paint_text(widget, text)


def dark_palette() -> QPalette:
    p = QPalette()
    group = QPalette.ColorGroup
    role = QPalette.ColorRole
    for r, colour in (
        (role.Window, DARK_WINDOW),
        (role.WindowText, DARK_TEXT),
        (role.Base, DARK_BASE),
        (role.AlternateBase, DARK_WINDOW),
        (role.Text, DARK_TEXT),
        (role.Button, "#3c3f41"),
        (role.ButtonText, DARK_TEXT),
        (role.BrightText, "#ffffff"),
        (role.ToolTipBase, "#3c3f41"),
        (role.ToolTipText, DARK_TEXT),
        (role.PlaceholderText, "#9aa0a6"),
        (role.Highlight, "#2f65ca"),
        (role.HighlightedText, "#ffffff"),
        (role.Link, "#8ab4f8"),
        (role.LinkVisited, "#c58af9"),
        (role.Light, "#4a4d50"),
        (role.Midlight, "#3c3f41"),
        (role.Mid, "#2f3134"),
        (role.Dark, "#1a1b1d"),
        (role.Shadow, "#000000"),
    ):
        p.setColor(r, QColor(colour))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#7f8388"))
    return p


def _palette_is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class _SchemeFollower(QObject):
    """Keeps the palettes on the OS colour scheme (or on a forced one)."""

    def __init__(self, app: QApplication, forced: Qt.ColorScheme | None) -> None:
        super().__init__(app)
        self.app = app
        self.forced = forced
        self.own_palette = False  # a dark palette of ours is set on the app
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)

    def scheme(self) -> Qt.ColorScheme:
        return self.forced if self.forced is not None else self.app.styleHints().colorScheme()

    @Slot(Qt.ColorScheme)
    def _on_color_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        self.apply()

    def apply(self) -> None:
        global PALETTE
        dark = self.scheme() == Qt.ColorScheme.Dark
        if dark and not _palette_is_dark(self.app.palette()):
            self.app.setStyle("Fusion")
            self.app.setPalette(dark_palette())
            self.own_palette = True
        elif not dark and self.own_palette:
            self.app.setPalette(self.app.style().standardPalette())
            self.own_palette = False
        PALETTE = DARK if dark else LIGHT
        repaint_all()


def follow_color_scheme(
    app: QApplication | None = None, force: Qt.ColorScheme | None = None
) -> None:
    """Light or dark palettes as the OS says, now and whenever it changes; `force`
    (screenshots, tests) sets one whatever the OS says."""
    app = app or QApplication.instance()
    follower = app.findChild(_SchemeFollower)
    if follower is None:
        follower = _SchemeFollower(app, force)
    else:
        follower.forced = force
    follower.apply()


def scheme_name() -> str:
    return "dark" if is_dark() else "light"


def grow_to_fit(window: QWidget) -> None:
    """Grow a top-level window so every wrapped line shows (Qt does not grow a shown
    window when a word-wrapped label gets longer or appears)."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    needed = max(layout.totalHeightForWidth(window.width()), layout.totalMinimumSize().height())
    if needed > window.height():
        window.resize(window.width(), needed)


def grow_soon(window: QWidget) -> None:
    """`grow_to_fit` once pending style and layout changes have been applied (a label
    just repainted with another padding reports its new height only after that)."""
    QTimer.singleShot(0, window, functools.partial(grow_to_fit, window))
