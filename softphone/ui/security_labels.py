"""The engine's security labels (`MediaSecurity.label`) in the UI's language. Pure, any
thread.

The engine, the logs and the CLI keep the exact English words of
`policy.end_to_end` ("end-to-end encrypted (verified)", ...); the UI shows them
translated. The English sources here are those same words, and a unit test holds
them equal, so a label the engine changes cannot silently lose its translation.
"""

from __future__ import annotations

from softphone.ui.i18n import QT_TRANSLATE_NOOP, translate

LABELS = {
    "end-to-end encrypted (verified)": QT_TRANSLATE_NOOP(
        "SecurityLabels", "end-to-end encrypted (verified)"
    ),
    "end-to-end encrypted (not verified)": QT_TRANSLATE_NOOP(
        "SecurityLabels", "end-to-end encrypted (not verified)"
    ),
    "encrypted to the server only": QT_TRANSLATE_NOOP(
        "SecurityLabels", "encrypted to the server only"
    ),
    "not encrypted": QT_TRANSLATE_NOOP("SecurityLabels", "not encrypted"),
}


def label_text(label: str) -> str:
    """`MediaSecurity.label` as the UI shows it; an unknown label stays as it is."""
    return translate("SecurityLabels", LABELS[label]) if label in LABELS else label
