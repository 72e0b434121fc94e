"""Where the local data lives (platformdirs), in one place. Pure, any thread."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "softphone"
DATABASE_NAME = "local-data.sqlite3"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP))


def database_path() -> Path:
    """The encrypted local database: contacts, history, appointments, audit log."""
    return data_dir() / DATABASE_NAME
