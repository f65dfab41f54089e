"""Form fields shared by every app."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from django.core.exceptions import ValidationError
from django.utils import timezone

# No date anyone types here is outside these years; beyond them, date arithmetic (a reminder a
# fortnight on, the day after a report period) overflows Python's dates.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


class DateField(DateInputField):
    """The GOV.UK date input (day, month, year boxes) with plain-English errors."""

    def __init__(self, *, today_by_default=False, **kwargs):
        # A form recording something that has just happened (a session held, a contact made)
        # starts at today, so the usual case needs no typing; the user changes it if not.
        if today_by_default:
            kwargs.setdefault("initial", timezone.localdate)
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        self.error_messages["required"] = f"Enter the {self._name('date').lower()}"

    def _name(self, default: str) -> str:
        # The field's label as an error names it: "Date of birth", not "Date of birth (optional)".
        return str(self.label or default).removesuffix(" (optional)")

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            typed = date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError):  # a day of 2200000000 overflows before it is out of range
            raise ValidationError(
                f"{self._name('The date')} must be a real date, for example 27 3 2026", code="invalid_date"
            ) from None
        if not EARLIEST_YEAR <= typed.year <= LATEST_YEAR:
            raise ValidationError(
                f"{self._name('The date')} must be between {EARLIEST_YEAR} and {LATEST_YEAR}",
                code="date_out_of_range",
            )
        return typed
