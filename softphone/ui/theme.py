"""Colours and small styling helpers shared by the windows. GUI thread.

Colours carry meaning only together with words (the badge says "NOT ENCRYPTED", not
just red), and the pairs keep a contrast ratio above 4.5:1 for legibility.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

# (background, text, border)
PALETTE: dict[str, tuple[str, str, str]] = {
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


def paint(widget: QWidget, kind: str, *, border: int = 1, radius: int = 4, pad: int = 6) -> None:
    """Give `widget` the colours of `kind` (a level, severity or verdict name)."""
    bg, fg, edge = PALETTE.get(kind, PALETTE["info"])
    name = widget.objectName() or f"w{id(widget)}"
    widget.setObjectName(name)
    widget.setStyleSheet(
        f"#{name} {{ background: {bg}; color: {fg}; border: {border}px solid {edge}; "
        f"border-radius: {radius}px; padding: {pad}px; }}"
        f"#{name} QLabel {{ color: {fg}; background: transparent; border: none; }}"
    )
    widget.setProperty("kind", kind)


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
