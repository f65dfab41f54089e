"""The assessments file written by PostgreSQL itself (`COPY … TO STDOUT`), for exports of
millions of rows: the same columns, rows and bytes as export.assessment_rows() written by
export.csv_lines() (a test compares them), several times faster. The embedded SQLite database
uses the Python path.

The database computes the pseudonyms (HMAC-SHA-256 from its built-in sha256(), so the key is
sent as the two padded halves HMAC uses and no extension is needed), the months and days, the
spreadsheet-formula guard (eip.spreadsheets) and the CSV. COPY runs on a connection of its own
in a thread, which hands the rows over a referral at a time through a short queue: memory
stays flat whatever the size, and the request's own connection stays free for the outbound
guard to read each referral's identifiers as the blocks pass."""

import csv
import hashlib
import io
import queue
import threading
from datetime import date

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections

from eip.spreadsheets import Echo, csv_writer

BLOCKS_AHEAD = 64  # referrals' blocks the reader may run ahead of the response
_DONE = object()


def available() -> bool:
    """PostgreSQL, outside a transaction: COPY's own connection sees only committed rows, so
    inside one (a command wrapped in atomic(), a test) the request's connection writes the file."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def _hmac_pads() -> tuple[bytes, bytes]:
    key = settings.EIP_PSEUDONYM_KEY.encode()
    if len(key) > 64:  # HMAC hashes a key longer than SHA-256's block
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


# export.pseudonym(kind, value) in SQL: HMAC(key, "kind:value"), hex, first 16 characters.
_PSEUDONYM = (
    "substr(encode(sha256(%(opad)s || sha256(%(ipad)s || convert_to({kind} || ':' || {value}, 'UTF8'))), 'hex'), 1, 16)"
)
# eip.spreadsheets.neutralise_formula in SQL, and "" as NULL (COPY writes NULL as nothing, as csv does "").
# The first character is compared before any pattern is run: most values start with none of them.
_TEXT = (
    "NULLIF(CASE WHEN left({0}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r')"
    " THEN CASE WHEN {0} ~ '^-[0-9]+(\\.[0-9]+)?$' THEN {0} ELSE '''' || {0} END ELSE {0} END, '')"
)


def assessments_sql(*, date_from: date | None = None, date_to: date | None = None) -> str:
    """COPY of the assessments file, each line led by its referral's id (the guard's key)."""
    person = (
        "CASE WHEN c.person_id IS NOT NULL THEN "
        + _PSEUDONYM.format(kind="'person'", value="c.person_id::text")
        + " ELSE "
        + _PSEUDONYM.format(kind="'referral-only'", value="r.id::text")
        + " END"
    )
    period = ""
    if date_from:
        period += " AND a.assessed_on >= %(date_from)s"
    if date_to:
        period += " AND a.assessed_on <= %(date_to)s"
    # Pseudonyms, month and days once per assessment, not once per answer. Only this module's
    # constants are joined here; every value is bound by mogrify below (so bandit's B608 is marked).
    sql = f"""
COPY (
  SELECT a.referral_id, a.person, a.referral, a.assessment, a.instrument, a.stage, a.version, a.month, a.days,
         {_TEXT.format("an.item")}, {_TEXT.format("an.rating")}, an.user_score, an.practitioner_score
  FROM (
    SELECT a.id, r.id AS referral_id, {person} AS person,
           {_PSEUDONYM.format(kind="'referral'", value="r.id::text")} AS referral,
           {_PSEUDONYM.format(kind="'assessment'", value="a.id::text")} AS assessment,
           {_TEXT.format("a.instrument")} AS instrument, {_TEXT.format("a.stage")} AS stage, a.version,
           to_char(a.assessed_on, 'YYYY-MM') AS month,
           a.assessed_on - (r.received_at AT TIME ZONE %(tz)s)::date AS days
    FROM assessments_assessment a
    JOIN cases_case c ON c.id = a.case_id
    JOIN referrals_referral r ON r.id = c.referral_id
    WHERE a.is_current{period}
    ORDER BY r.id, a.id
    OFFSET 0 -- kept a subquery: its pseudonyms are computed once per assessment, not per answer
  ) a
  JOIN assessments_assessmentanswer an ON an.assessment_id = a.id
  ORDER BY a.referral_id, a.id, an.id
) TO STDOUT WITH (FORMAT csv)
"""  # noqa: S608  # nosec B608
    ipad, opad = _hmac_pads()
    params = {"ipad": ipad, "opad": opad, "tz": settings.TIME_ZONE, "date_from": date_from, "date_to": date_to}
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def _as_python_writes(text: str) -> str:
    """A referral's lines as PostgreSQL wrote them, in the bytes csv_writer would write: a
    block with no quoted cell differs only in its line ends; one with a quoted cell (a comma,
    a quote or a line break in a value) is read and written again."""
    if '"' not in text:
        return text.replace("\n", "\r\n")
    writer = csv_writer(Echo())
    return "".join(writer.writerow(row) for row in csv.reader(io.StringIO(text)))


class _Reader:
    """Runs the COPY in a thread on its own connection; the file object COPY writes into."""

    def __init__(self, sql: str):
        self.sql = sql
        # The request's database settings; the thread opens its own connection with them.
        self.database = connections[DEFAULT_DB_ALIAS]  # this thread's, not the proxy's
        self.params = self.database.get_connection_params()
        self.blocks: queue.Queue = queue.Queue(maxsize=BLOCKS_AHEAD)
        self.stopped = threading.Event()
        self.key, self.lines = None, []
        self.thread = threading.Thread(target=self._run, name="eip-export-copy", daemon=True)

    def write(self, data: bytes):  # one call per row
        if self.stopped.is_set():
            raise _Stopped
        key, _, line = data.partition(b",")
        if key != self.key:
            self._hand_over()
            self.key = key
        self.lines.append(line)

    def _hand_over(self):
        if self.lines:
            self.blocks.put((int(self.key), _as_python_writes(b"".join(self.lines).decode())))
            self.lines = []

    def _run(self):
        raw = None
        try:
            raw = self.database.get_new_connection(self.params)
            raw.autocommit = True
            with raw.cursor() as cursor:
                # A long export is not a hung statement: it has a limit of its own, far beyond the
                # pages' one, so one that is stuck still ends and lets its connection go.
                cursor.execute(
                    "SET statement_timeout = %s; SET client_encoding = 'UTF8'",
                    [settings.EIP_EXPORT_STATEMENT_TIMEOUT_MS],
                )
                cursor.copy_expert(self.sql, self)
            self._hand_over()
            self.blocks.put(_DONE)
        except _Stopped:
            pass
        except Exception as error:  # noqa: BLE001 - handed to the response's thread, which raises it
            self.blocks.put(error)
        finally:
            if raw is not None:
                raw.close()

    def __iter__(self):
        self.thread.start()
        try:
            while (item := self._next()) is not _DONE:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            self.stopped.set()
            while self.thread.is_alive():  # free a reader waiting on a full queue
                try:
                    self.blocks.get(timeout=0.1)
                except queue.Empty:
                    pass

    def _next(self):
        while True:
            try:
                return self.blocks.get(timeout=1)
            except queue.Empty:
                if not self.thread.is_alive() and self.blocks.empty():
                    raise RuntimeError("The export's reader stopped without finishing") from None


class _Stopped(Exception):
    """The response was closed (the download cancelled): stop reading."""


def assessment_blocks(*, date_from: date | None = None, date_to: date | None = None):
    """(referral id, that referral's lines of assessments.csv) in referral order, by COPY."""
    return iter(_Reader(assessments_sql(date_from=date_from, date_to=date_to)))
