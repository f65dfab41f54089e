"""What hand-written SQL reads comes back as the ORM would give it, on SQLite as on PostgreSQL."""

from datetime import UTC, date, datetime, timedelta, timezone

from eip.db.raw import raw_date, raw_datetime


def test_a_date_read_by_raw_sql_is_a_date_whatever_the_database_gave():
    assert raw_date("2026-12-01") == date(2026, 12, 1)
    assert raw_date("2026-12-01 09:15:00") == date(2026, 12, 1)  # the day of a timestamp, as SQLite writes it
    assert raw_date(date(2026, 12, 1)) == date(2026, 12, 1)
    assert raw_date(None) is None


def test_a_time_read_by_raw_sql_is_aware_and_in_utc_where_no_zone_was_given():
    assert raw_datetime("2026-12-01 09:15:00.5") == datetime(2026, 12, 1, 9, 15, 0, 500000, tzinfo=UTC)
    assert raw_datetime(datetime(2026, 12, 1, 9, 15)) == datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
    london_summer = datetime(2026, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    assert raw_datetime(london_summer) is london_summer
    assert raw_datetime(None) is None
