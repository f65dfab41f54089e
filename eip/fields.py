"""Form fields shared by every app."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from django.core.exceptions import ValidationError


class DateField(DateInputField):
    """The GOV.UK date input (day, month, year boxes) with plain-English errors."""

    def __init__(self, **kwargs):
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        self.error_messages["required"] = f"Enter the {str(self.label or 'date').lower()}"

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            return date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError):  # a day of 2200000000 overflows before it is out of range
            raise ValidationError(
                f"{self.label or 'The date'} must be a real date, for example 27 3 2026", code="invalid_date"
            ) from None
