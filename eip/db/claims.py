"""Claiming a piece of work without a row lock: for work that talks to something slow (a mail
server) and must still happen once, however often a worker, beat or a redelivered message
starts it."""

from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction


@contextmanager
def advisory_claim(*, namespace: int, key: int):
    """Yield True if this process may do the work named (namespace, key) now, False if another is.

    On PostgreSQL the claim is a session advisory lock: it blocks no reader, no update and no
    sweep, is never waited for (a second claimant gives up at once), and ends with the
    connection, so a worker killed mid-way leaves the work free for the next attempt. The
    two-number form takes 32-bit numbers: keys 2^31 apart share a lock, which at worst makes
    one of them wait for its next attempt. SQLite has one writer at a time: a transaction is
    the claim there.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            yield True
        return
    lock = [namespace, key % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", lock)
        claimed = cursor.fetchone()[0]
    try:
        yield claimed
    finally:
        if claimed:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", lock)
            except DatabaseError:
                # The session is broken, and its locks with it; make sure it is not reused.
                if not connection.in_atomic_block:
                    connection.close()
