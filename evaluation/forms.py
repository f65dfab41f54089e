from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Layout, Size
from django import forms

from eip.fields import DateField

from .models import AccommodationNeed, AwaitingStart


class DateRangeForm(forms.Form):
    """From one day to another, both included."""

    date_from = DateField(label="From")
    date_to = DateField(label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_from"].error_messages["required"] = "Enter the first day of the period"
        self.fields["date_to"].error_messages["required"] = "Enter the last day of the period"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field("date_from"), Field("date_to"))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The last day must be the same as or after the first day")
        return data


class PeriodForm(DateRangeForm):
    suppress = forms.IntegerField(
        label="Hide counts smaller than (optional)",
        required=False,
        min_value=2,
        max_value=20,
        help_text="For tables meant for publication, for example 5.",
        error_messages={
            "min_value": "Enter a number from 2 to 20",
            "max_value": "Enter a number from 2 to 20",
            "invalid": "Enter a number from 2 to 20",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field("date_from"), Field("date_to"), Field.text("suppress", field_width=Fixed.TWO, inputmode="numeric")
        )


def _helper(*fields):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


class AwaitingStartForm(forms.Form):
    prefix = "waiting"
    state = forms.ChoiceField(
        label="Why has the intervention not started?",
        choices=AwaitingStart.State.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the intervention has not started"},
    )
    recorded_on = DateField(label="Date this applies from", help_text="For example, 27 3 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].error_messages["required"] = "Enter the date this applies from"
        self.helper = _helper(Field.radios("state", legend_size=Size.SMALL), Field("recorded_on"))


# A programme placement counts as "placed" by itself, from the accommodation page.
NEED_OUTCOMES = [
    (value, label) for value, label in AccommodationNeed.Outcome.choices if value != AccommodationNeed.Outcome.PLACED
]


class AccommodationNeedForm(forms.Form):
    prefix = "need"
    assessed_on = DateField(label="Date assessed as needing accommodation", help_text="For example, 27 3 2026")
    outcome = forms.ChoiceField(
        label="What has come of it so far?",
        choices=NEED_OUTCOMES,
        initial=AccommodationNeed.Outcome.IN_PROCESS,
        widget=forms.RadioSelect,
        help_text="A placement through the programme counts by itself: you do not need to record it here.",
        error_messages={"required": "Select what has come of the accommodation need"},
    )
    outcome_on = DateField(
        label="Date of the outcome", required=False, help_text="Leave empty while the client is being placed."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].error_messages["required"] = "Enter the date assessed as needing accommodation"
        self.helper = _helper(
            Field("assessed_on"), Field.radios("outcome", legend_size=Size.SMALL), Field("outcome_on")
        )


class AccommodationNeedOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What came of the accommodation need?",
        choices=NEED_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what came of the accommodation need"},
    )
    outcome_on = DateField(label="Date of the outcome", required=False)

    def __init__(self, *args, need, **kwargs):
        kwargs.setdefault("prefix", f"need-{need.pk}")
        super().__init__(*args, **kwargs)
        self.need = need
        self.helper = _helper(Field.radios("outcome", legend_size=Size.SMALL), Field("outcome_on"))
