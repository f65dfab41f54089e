from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Layout, Size
from django import forms
from django.utils import timezone

from cases.forms import TimeField, case_form_helper
from cases.models import Modality
from eip.fields import DateField

from .models import Appointment


def _combine(day, at_time):
    return timezone.make_aware(timezone.datetime.combine(day, at_time))


class AppointmentForm(forms.Form):
    """Planning a session or meeting, or moving one (then without the case and kind)."""

    case = forms.ChoiceField(label="Case", error_messages={"required": "Select the case"})
    kind = forms.ChoiceField(
        label="What is it?",
        choices=Appointment.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a session with the client or a professionals meeting"},
    )
    day = DateField(label="Date", help_text="For example, 27 3 2026")
    at = TimeField(label="Time", help_text="For example, 14:30")
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        # A text box, as GOV.UK advises for numbers (a number input loses the GOV.UK style).
        widget=forms.TextInput,
        initial=60,
        min_value=1,
        max_value=480,
        error_messages={
            "required": "Enter the length in minutes",
            "invalid": "Enter the length as a number of minutes",
            "min_value": "Enter a length of at least 1 minute",
            "max_value": "Enter a length of 480 minutes or less",
        },
    )
    modality = forms.ChoiceField(
        label="How will it be held?",
        choices=Modality.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how it will be held"},
    )
    place = forms.CharField(
        label="Place or video link",
        required=False,
        max_length=300,
        help_text="Not put in the calendar invitation, which carries the case reference only.",
        error_messages={"max_length": "Place or video link must be 300 characters or fewer"},
    )

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].error_messages["required"] = "Enter the date"
        self.fields["at"].error_messages["required"] = "Enter the time"
        fields = []
        if cases is None:
            del self.fields["case"], self.fields["kind"]
        else:
            self.fields["case"].choices = [("", "Choose a case")] + [
                (str(c.pk), f"{c.reference} – {c.referral.client_first_name} {c.referral.client_last_name}")
                for c in cases
            ]
            fields += [Field.select("case"), Field.radios("kind", legend_size=Size.SMALL)]
        fields += [
            Field("day"),
            Field.text("at", field_width=Fixed.FIVE),
            Field.text("duration_minutes", field_width=Fixed.THREE, inputmode="numeric"),
            Field.radios("modality", legend_size=Size.SMALL, inline=True),
            Field.text("place"),
        ]
        self.helper = case_form_helper(*fields)

    def starts_at(self):
        return _combine(self.cleaned_data["day"], self.cleaned_data["at"])

    def service_arguments(self) -> dict:
        d = self.cleaned_data
        return {
            "starts_at": self.starts_at(),
            "duration_minutes": d["duration_minutes"],
            "modality": d["modality"],
            "place": d["place"],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is cancelled"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(Field.textarea("reason", rows=3))


class DiaryFilterForm(forms.Form):
    practitioner = forms.ModelChoiceField(
        label="Practitioner", required=False, queryset=None, empty_label="The whole team"
    )

    def __init__(self, *args, practitioners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.select("practitioner"))


class SessionRemindersForm(forms.Form):
    phone = forms.CharField(
        label="The client's mobile number",
        max_length=40,
        help_text="Checked against the partner's and children's details before any text is sent.",
        error_messages={"required": "Enter the client's mobile number"},
    )
    asked_on = DateField(today_by_default=True, label="Date the client asked")
    asked_how = forms.CharField(
        label="How the client asked",
        max_length=200,
        help_text="For example, at the session of 3 December",
        error_messages={"required": "Say how the client asked"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(
            Field.text("phone", field_width=Fixed.TWENTY, autocomplete="off", inputmode="tel"),
            Field("asked_on"),
            Field.text("asked_how"),
        )
