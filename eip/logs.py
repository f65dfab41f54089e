"""Log hygiene: an exception's message can carry what a user typed or a database row
(psycopg2 puts the offending values in DETAIL lines), so logged tracebacks keep the exception's
type and every frame, and withhold its message and those of the exceptions it chained from."""

import logging
import traceback

WITHHELD = "[message withheld: it may contain personal data]"


def _scrubbed(exc: BaseException, seen: set[int]) -> list[str]:
    if exc is None or id(exc) in seen:
        return []
    seen.add(id(exc))
    lines = []
    if exc.__cause__ is not None:
        lines += _scrubbed(exc.__cause__, seen)
        lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif exc.__context__ is not None and not exc.__suppress_context__:
        lines += _scrubbed(exc.__context__, seen)
        lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    lines.append("Traceback (most recent call last):\n")
    lines += traceback.format_tb(exc.__traceback__)
    lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}: {WITHHELD}\n")
    return lines


class WithholdExceptionMessages(logging.Filter):
    """Attach to every handler that writes outside the process (console, files, aggregators)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = "".join(_scrubbed(record.exc_info[1], set())).rstrip("\n")
        return True
