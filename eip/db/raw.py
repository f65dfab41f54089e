"""Values read by hand-written SQL, as the ORM would give them. PostgreSQL returns dates and
aware times; SQLite (the embedded default `make run` gives) returns text, or naive times in
UTC: Django converts them only for what the ORM itself reads."""

from datetime import UTC, date, datetime


def raw_date(value):
    """A date (or the day of a timestamp) read by raw SQL; None stays None."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def raw_datetime(value):
    """A timestamp read by raw SQL, aware (UTC where the database gave no zone); None stays None."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value is None or value.tzinfo is not None else value.replace(tzinfo=UTC)
