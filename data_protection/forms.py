"""The subject access forms."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils import timezone

from cases.forms import case_form_helper
from eip.fields import DateField


class SubjectAccessPrepareForm(forms.Form):
    received_on = DateField(label="Date the client asked", help_text="For example, 27 3 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].error_messages["required"] = "Enter the date the client asked"
        self.helper = case_form_helper(Field("received_on"))

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on and received_on > timezone.localdate():
            raise forms.ValidationError("The date the client asked must be today or in the past")
        return received_on


class SubjectAccessReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Can this export be released to the client?",
        choices=[
            ("approve", "Yes, approve it for release"),
            ("return", "No, return it to the practitioner"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to approve the export or return it"},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you return it: say what must change, for example text about the partner to withhold.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(
            Field.radios("decision", legend_size=Size.SMALL), Field.textarea("notes", rows=3)
        )
