"""Palettes: every text colour readable on its background (WCAG AA, 4.5:1) in the light
and the dark palette; the app follows the colour scheme and repaints what it painted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from softphone.ui import theme

# Buttons styled outside the palettes (white on solid colour in both schemes).
FIXED_PAIRS = {
    "answer button": ("#ffffff", "#2e7d32"),
    "hang-up button": ("#ffffff", "#c62828"),
}


@pytest.mark.parametrize("palette", ["LIGHT", "DARK"])
def test_theme_text_on_every_badge_colour_is_readable(palette: str) -> None:
    colours = getattr(theme, palette)
    assert set(colours) == set(theme.LIGHT)  # the same kinds in both
    poor = {
        kind: round(theme.contrast_ratio(fg, bg), 2)
        for kind, (bg, fg, _edge) in colours.items()
        if theme.contrast_ratio(fg, bg) < 4.5
    }
    assert not poor, f"{palette}: contrast under 4.5:1: {poor}"


def test_theme_text_colours_readable_on_the_window_itself() -> None:
    """`paint_text` puts a kind's text colour on the window's own background."""
    for colours, window in ((theme.LIGHT, "#efefef"), (theme.DARK, theme.DARK_WINDOW)):
        for kind in ("error", "busy", "ok", "info", "empty"):
            assert theme.contrast_ratio(colours[kind][1], window) >= 4.5, kind
    assert theme.contrast_ratio(theme.DARK_TEXT, theme.DARK_BASE) >= 7


def test_theme_fixed_button_colours_are_readable() -> None:
    for name, (fg, bg) in FIXED_PAIRS.items():
        assert theme.contrast_ratio(fg, bg) >= 4.5, name


def test_theme_contrast_ratio_known_values() -> None:
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert theme.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_theme_follows_the_scheme_and_repaints(qtbot) -> None:
    app = QApplication.instance()
    label = QLabel("Not registered")
    qtbot.addWidget(label)
    theme.paint(label, "error")
    note = QLabel("Locked")
    qtbot.addWidget(note)
    theme.paint_text(note, "busy")
    style = app.style().name()
    try:
        theme.follow_color_scheme(app, Qt.ColorScheme.Dark)
        assert theme.is_dark()
        assert theme.DARK["error"][0] in label.styleSheet()
        assert theme.DARK["busy"][1] in note.styleSheet()
        assert app.palette().color(app.palette().ColorRole.Window).lightness() < 128
        theme.follow_color_scheme(app, Qt.ColorScheme.Light)
        assert not theme.is_dark()
        assert theme.LIGHT["error"][0] in label.styleSheet()
        assert app.palette().color(app.palette().ColorRole.Window).lightness() >= 128
    finally:
        theme.follow_color_scheme(app, Qt.ColorScheme.Light)
        app.setStyle(style)
