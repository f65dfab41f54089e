from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from eip.fields import DateField

from .models import BEHAVIOURS, AskedBy, Frequency, ListenedTo, NotAsked, Safety, Stage


class PartnerOutcomeForm(forms.Form):
    stage = forms.ChoiceField(label="When", choices=Stage.choices, widget=forms.RadioSelect)
    asked_on = DateField(today_by_default=True, label="Date asked", help_text="For example, 27 3 2021")
    asked_by = forms.ChoiceField(label="Who asked the partner", choices=AskedBy.choices, widget=forms.RadioSelect)
    not_asked = forms.ChoiceField(
        label="If the partner was not asked, why",
        choices=[("", "The partner was asked")] + list(NotAsked.choices),
        required=False,
    )
    feels_safe = forms.TypedChoiceField(
        label="How safe does the partner feel?",
        choices=[("", "Choose")] + [(str(v), label) for v, label in Safety.choices],
        required=False,
        coerce=int,
        empty_value=None,
    )
    listened_to = forms.ChoiceField(
        label="Does the partner feel listened to?", choices=[("", "Choose")] + list(ListenedTo.choices), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in BEHAVIOURS:
            self.fields[name] = forms.ChoiceField(
                label=f"{label}: how often is it happening now?",
                choices=[("", "Choose")] + list(Frequency.choices),
                required=False,
            )
        self.fields["asked_on"].error_messages["required"] = "Enter the date the partner was asked"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.radios("stage", legend_size=Size.SMALL),
            Field("asked_on"),
            Field.radios("asked_by", legend_size=Size.SMALL),
            Field.select("not_asked"),
            *(Field.select(name) for name, _ in BEHAVIOURS),
            Field.select("feels_safe"),
            Field.select("listened_to"),
        )
