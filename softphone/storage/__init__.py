"""Local data at rest: one SQLite database whose sensitive columns are encrypted.

See `softphone.storage.database` for the format and the reasons behind it.
"""

from softphone.storage.database import (
    AuditEntry,
    CallNotFoundError,
    CallRecord,
    Contact,
    ContactNotFoundError,
    CorruptDatabaseError,
    DatabaseError,
    DataIntegrityError,
    Direction,
    ForeignDatabaseError,
    LocalDatabase,
    MissingDataKeyError,
    NewerDatabaseError,
    PhoneEntry,
    WrongDataKeyError,
    quarantine,
)

__all__ = [
    "AuditEntry",
    "CallNotFoundError",
    "CallRecord",
    "Contact",
    "ContactNotFoundError",
    "CorruptDatabaseError",
    "DataIntegrityError",
    "DatabaseError",
    "Direction",
    "ForeignDatabaseError",
    "LocalDatabase",
    "MissingDataKeyError",
    "NewerDatabaseError",
    "PhoneEntry",
    "WrongDataKeyError",
    "quarantine",
]
