"""Which language the desktop app speaks, and loading its Qt translation. GUI thread.

English is the source language: every string in `softphone/ui` is written in English
and marked for translation (`self.tr`, `i18n.translate`). `softphone_zh_CN.ts` holds
the Simplified Chinese translations, compiled to `softphone_zh_CN.qm`, which ships in
the package. The language is, first found: `SOFTPHONE_LANG` (`en`, `zh_CN`, or any
locale name such as `zh_CN.UTF-8`), the settings' `language`, the operating system's
locale (`QLocale.system()`); anything without a translation is English. Qt's own
translation of its standard buttons (`qtbase_*.qm`, shipped with PySide6) is loaded
beside ours. `python -m softphone.ui.translations update` re-runs lupdate and
lrelease (see `__main__`). The CLI stays English and never comes here.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

LANG_ENV = "SOFTPHONE_LANG"
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "zh_CN")  # what `language` can return
# Each language named in its own language, as a language picker lists them.
NATIVE_NAMES = {"en": "English", "zh_CN": "简体中文"}
CATALOGUE = "softphone"  # softphone_<language>.ts / .qm

_installed: list[object] = []  # our QTranslators: Qt does not keep a reference
_current = [SOURCE_LANGUAGE]  # what `use_language` put in force last


def language_for(name: str | None) -> str | None:
    """A locale name ("zh_CN.UTF-8", "zh-Hans", "en_GB", "C") -> one of `LANGUAGES`, or
    None when `name` is empty. Chinese in Simplified script is zh_CN; everything else
    (Traditional Chinese included) is English until someone translates it."""
    if not name:
        return None
    base = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    parts = [p.lower() for p in base.split("_") if p]
    if not parts:
        return None
    if parts[0] == "zh":
        traditional = {"hant", "tw", "hk", "mo"} & set(parts[1:])
        return SOURCE_LANGUAGE if traditional else "zh_CN"
    return SOURCE_LANGUAGE


def language(setting: str | None = None, system: str | None = None) -> str:
    """The language to speak: `SOFTPHONE_LANG`, then the setting, then the system's
    locale name (`QLocale.system().name()` when `system` is None)."""
    for name in (os.environ.get(LANG_ENV), setting):
        chosen = language_for(name)
        if chosen is not None:
            return chosen
    return system_language(system)


def system_language(system: str | None = None) -> str:
    """The operating system's language (`QLocale.system()` when `system` is None), as
    one of `LANGUAGES`."""
    if system is None:
        from PySide6.QtCore import QLocale

        system = QLocale.system().name()
        if QLocale.system().script() == QLocale.Script.TraditionalChineseScript:
            system += "_Hant"
    return language_for(system) or SOURCE_LANGUAGE


def environment_language() -> str | None:
    """`SOFTPHONE_LANG` when it is set (it then wins over the settings), else None."""
    return os.environ.get(LANG_ENV) or None


def current_language() -> str:
    """The language `use_language` put in force last ("en" before any)."""
    return _current[0]


def translate_in(lang: str, context: str, source: str) -> str:
    """`source` in `lang`, whatever language is installed (a picker says what the
    choice will do in the language chosen); the English source when there is none."""
    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    if lang == SOURCE_LANGUAGE or not translator.load(str(qm_path(lang))):
        return source
    return translator.translate(context, source) or source


def catalogue_dir() -> Path:
    return Path(str(resources.files(__name__)))


def qm_path(lang: str) -> Path:
    return catalogue_dir() / f"{CATALOGUE}_{lang}.qm"


def use_language(lang: str) -> str:
    """Install the translators for `lang` (removing earlier ones) and make it Qt's default
    locale, for dates and numbers. Call before building windows. Returns `lang`, or
    "en" when its catalogue is missing (a broken install speaks English, not nothing)."""
    from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

    for translator in _installed:
        QCoreApplication.removeTranslator(translator)  # type: ignore[arg-type]
    _installed.clear()
    english = QLocale(QLocale.Language.English, QLocale.system().territory())
    ours = QTranslator()
    if lang == SOURCE_LANGUAGE or not ours.load(str(qm_path(lang))):
        # English is the source; its catalogue only spells out singulars ("1 contact").
        plurals = QTranslator()
        if plurals.load(str(qm_path(SOURCE_LANGUAGE))):
            QCoreApplication.installTranslator(plurals)
            _installed.append(plurals)
        QLocale.setDefault(english)
        _current[0] = SOURCE_LANGUAGE
        return SOURCE_LANGUAGE
    qt = QTranslator()
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for translator in (qt, ours) if qt.load(f"qtbase_{lang}", qt_dir) else (ours,):
        QCoreApplication.installTranslator(translator)
        _installed.append(translator)
    QLocale.setDefault(QLocale(lang))
    _current[0] = lang
    return lang
