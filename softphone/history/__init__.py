"""Call history and the audit trail, written from engine events (see `recorder`)."""
