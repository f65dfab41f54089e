from crispy_forms_gds.layout import Field, Fixed, Size
from django import forms
from django.utils import timezone

from cases.forms import TimeField, case_form_helper
from eip.fields import DateField

from .models import Contacted, Method

PARTNER_LABEL = "This note contains information about the partner or the children"
PARTNER_HINT = (
    "Only practitioners, supervisors and the social worker will see it; never the borough SPOC, "
    "and never the client. A note with the partner is always treated this way."
)
CHECKBOX = "case_notes/_checkbox.html"
SHARE_LABEL = "Share with the referrer as a progress update"
SHARE_HINT = (
    "The social worker gets an email with a link to read this note in EIP. "
    "Not for notes with or about the partner or the children."
)


class CaseNoteForm(forms.Form):
    contact_day = DateField(today_by_default=True, label="Date of the contact", help_text="For example, 27 3 2026")
    contact_time = TimeField(label="Time of the contact", help_text="For example, 14:30")
    contacted = forms.ChoiceField(
        label="Who was contacted?",
        choices=Contacted.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who was contacted"},
    )
    method = forms.ChoiceField(
        label="How?",
        choices=Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the contact was made"},
    )
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        error_messages={"required": "Write the note"},
    )
    partner_information = forms.BooleanField(label=PARTNER_LABEL, help_text=PARTNER_HINT, required=False)
    share_with_referrer = forms.BooleanField(label=SHARE_LABEL, help_text=SHARE_HINT, required=False)

    def __init__(self, *args, shared=False, **kwargs):
        now = timezone.localtime()
        kwargs.setdefault("initial", {"contact_day": now.date(), "contact_time": f"{now:%H:%M}"})
        super().__init__(*args, **kwargs)
        self.fields["contact_day"].error_messages["required"] = "Enter the date of the contact"
        self.fields["contact_time"].error_messages["required"] = "Enter the time of the contact"
        fields = [
            Field("contact_day"),
            Field.text("contact_time", field_width=Fixed.FIVE),
            Field.radios("contacted", legend_size=Size.SMALL, small=True),
            Field.radios("method", legend_size=Size.SMALL, small=True),
            Field.textarea("text", rows=6),
            Field("partner_information", template=CHECKBOX),
        ]
        if shared:  # already shared: there is nothing more to tick
            del self.fields["share_with_referrer"]
        else:
            fields.append(Field("share_with_referrer", template=CHECKBOX))
        self.helper = case_form_helper(*fields)

    def service_arguments(self) -> dict:
        d = self.cleaned_data
        return {
            "contact_at": timezone.make_aware(timezone.datetime.combine(d["contact_day"], d["contact_time"])),
            "contacted": d["contacted"],
            "method": d["method"],
            "text": d["text"],
            "partner_information": d["partner_information"],
            "share_with_referrer": d.get("share_with_referrer", False),
        }

    @classmethod
    def initial_from(cls, note) -> dict:
        at = timezone.localtime(note.contact_at)
        return {
            "contact_day": at.date(),
            "contact_time": f"{at:%H:%M}",
            "contacted": note.contacted,
            "method": note.method,
            "text": note.text,
            "partner_information": note.partner_information,
        }


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        help_text="The note stays as it was written; this is shown beneath it, with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        error_messages={"required": "Write the addendum"},
    )
    partner_information = forms.BooleanField(
        label="This addendum contains information about the partner or the children",
        help_text=PARTNER_HINT,
        required=False,
    )

    def __init__(self, *args, partner_note=False, **kwargs):
        super().__init__(*args, **kwargs)
        fields = [Field.textarea("text", rows=5)]
        if partner_note:  # already restricted, and so is everything added to it
            del self.fields["partner_information"]
        else:
            fields.append(Field("partner_information", template=CHECKBOX))
        self.helper = case_form_helper(*fields)
