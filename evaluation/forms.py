from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Layout
from django import forms

from eip.fields import DateField


class PeriodForm(forms.Form):
    date_from = DateField(label="From")
    date_to = DateField(label="To")
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
        self.fields["date_from"].error_messages["required"] = "Enter the first day of the period"
        self.fields["date_to"].error_messages["required"] = "Enter the last day of the period"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("date_from"), Field("date_to"), Field.text("suppress", field_width=Fixed.TWO, inputmode="numeric")
        )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The last day must be the same as or after the first day")
        return data
