"""One form per instrument, built from its items so the DASH questions and viability markers
an administrator maintains appear as they are now."""

from datetime import date

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fixed, Layout, Size
from django import forms
from django.utils.html import escape

from eip.fields import DateField
from eip.forms_util import field_anchor

from .instruments import DESCRIPTOR_BANDS, DashAnswer, DashSource, Instrument, Severity, ViabilityLevel
from .services import items_for

DONT_KNOW = Severity.DONT_KNOW  # the DASH's "don't know" has the same code

SCORE_ERRORS = {
    "invalid": "Enter a whole number from 0 to 10",
    "min_value": "Enter a score from 0 to 10",
    "max_value": "Enter a score from 0 to 10",
}


class AssessmentForm(forms.Form):
    assessed_on = DateField(label="Date of the assessment", required=False)

    def __init__(self, *args, instrument, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.items = items_for(instrument)
        layout = [Field("assessed_on")]
        if correcting:
            self.fields["correction_reason"] = forms.CharField(
                label="Why is this assessment being corrected?",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="The original is kept; this becomes the version in force.",
            )
            layout.append(Field.textarea("correction_reason", rows=3))
        if instrument == Instrument.NEEDS:
            self.fields["review_date"] = DateField(label="Review date", required=False)
            layout.append(Field("review_date"))
        for item in self.items:
            layout += self._item_fields(item)
        if instrument == Instrument.DASH:
            self.fields["professional_judgement"] = forms.BooleanField(
                required=False,
                label="Professional judgement: refer to MARAC whatever the number of ‘yes’ answers",
            )
            self.fields["potential_escalation"] = forms.BooleanField(
                required=False,
                label="Potential escalation, for example repeated police call-outs in the last 12 months",
            )
            layout += [
                HTML('<h2 class="govuk-heading-m">MARAC criteria besides the count</h2>'),
                Field.checkbox("professional_judgement"),
                Field.checkbox("potential_escalation"),
            ]
        # The "don't know" answers the practitioner was shown and chose to lock with.
        self.fields["gaps_seen"] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.fields["notes"] = forms.CharField(
            label="Overall notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
        )
        layout += [Field.textarea("notes", rows=4), Field("gaps_seen")]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

    def _item_fields(self, item):
        code = item.code
        if self.instrument == Instrument.SOAG:
            self.fields[f"{code}-rating"] = forms.ChoiceField(
                label=item.label, required=False, choices=Severity.choices, widget=forms.RadioSelect
            )
            self.fields[f"{code}-notes"] = forms.CharField(
                label=f"Notes on {item.label.lower()} (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            return [
                Field.radios(f"{code}-rating", legend_size=Size.MEDIUM, inline=True),
                Field.textarea(f"{code}-notes", rows=2),
            ]
        if self.instrument == Instrument.NEEDS:
            self.fields[f"{code}-user_score"] = forms.IntegerField(
                label=f"{item.label}: service user's score",
                required=False,
                min_value=0,
                max_value=10,
                error_messages=SCORE_ERRORS,
            )
            self.fields[f"{code}-practitioner_score"] = forms.IntegerField(
                label=f"{item.label}: practitioner's score",
                required=False,
                min_value=0,
                max_value=10,
                error_messages=SCORE_ERRORS,
            )
            self.fields[f"{code}-notes"] = forms.CharField(
                label=f"{item.label}: practitioner notes (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            rows = "".join(
                f'<tr class="govuk-table__row"><td class="govuk-table__cell">{band}</td>'
                f'<td class="govuk-table__cell">{escape(text)}</td></tr>'
                for band, text in zip(DESCRIPTOR_BANDS, item.descriptors, strict=True)
            )
            table = (
                f'<h2 class="govuk-heading-m govuk-!-margin-top-6">{escape(item.label)}</h2>'
                f'<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">'
                f'From 0 (unmet, highest need) to 10 (met)</caption><thead class="govuk-table__head">'
                f'<tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Score</th>'
                f'<th scope="col" class="govuk-table__header">The service user might say</th></tr></thead>'
                f'<tbody class="govuk-table__body">{rows}</tbody></table>'
            )
            return [
                HTML(table),
                Field.text(f"{code}-user_score", field_width=Fixed.TWO, inputmode="numeric"),
                Field.text(f"{code}-practitioner_score", field_width=Fixed.TWO, inputmode="numeric"),
                Field.textarea(f"{code}-notes", rows=2),
            ]
        if self.instrument == Instrument.DASH:
            number = code.split("-")[1]
            self.fields[f"{code}-rating"] = forms.ChoiceField(
                label=f"{number}. {item.label}",
                required=False,
                choices=DashAnswer.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"{code}-source"] = forms.ChoiceField(
                label=f"Question {number}: source of the answer",
                required=False,
                choices=[("", "Select the source"), *DashSource.choices],
            )
            return [
                Field.radios(f"{code}-rating", legend_size=Size.SMALL, inline=True),
                Field.select(f"{code}-source"),
            ]
        number = code.split("-")[1]
        self.fields[f"{code}-rating"] = forms.ChoiceField(
            label=f"{number}. {item.label}",
            required=False,
            choices=ViabilityLevel.choices,
            widget=forms.RadioSelect,
        )
        self.fields[f"{code}-notes"] = forms.CharField(label=f"Marker {number}: notes (optional)", required=False)
        return [
            Field.radios(f"{code}-rating", legend_size=Size.SMALL, inline=True),
            Field.text(f"{code}-notes"),
        ]

    def answers(self) -> dict:
        data = self.cleaned_data
        result = {}
        for item in self.items:
            answer = {
                "rating": data.get(f"{item.code}-rating", ""),
                "notes": data.get(f"{item.code}-notes", ""),
                "source": data.get(f"{item.code}-source", ""),
            }
            if self.instrument == Instrument.NEEDS:
                answer["user_score"] = data.get(f"{item.code}-user_score")
                answer["practitioner_score"] = data.get(f"{item.code}-practitioner_score")
            result[item.code] = answer
        return result

    def dont_know(self) -> list[tuple[str, str]]:
        """(field id, question) for every answer given as "don't know": a gap the report counts."""
        data = self.cleaned_data
        return [
            (field_anchor(self[f"{item.code}-rating"]), self.fields[f"{item.code}-rating"].label)
            for item in self.items
            if data.get(f"{item.code}-rating") == DONT_KNOW
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "assessed_on": data.get("assessed_on"),
            "answers": self.answers(),
            "notes": data.get("notes", ""),
            "review_date": data.get("review_date"),
            "professional_judgement": data.get("professional_judgement", False),
            "potential_escalation": data.get("potential_escalation", False),
        }


def initial_from(assessment) -> dict:
    """A correction starts from the version it corrects."""
    initial = {
        "assessed_on": assessment.assessed_on,
        "notes": assessment.notes,
        "review_date": assessment.review_date,
        "professional_judgement": assessment.professional_judgement,
        "potential_escalation": assessment.potential_escalation,
    }
    for answer in assessment.answers.all():
        initial.update(
            {
                f"{answer.item}-rating": answer.rating,
                f"{answer.item}-notes": answer.notes,
                f"{answer.item}-source": answer.source,
                f"{answer.item}-user_score": answer.user_score,
                f"{answer.item}-practitioner_score": answer.practitioner_score,
            }
        )
    return initial


def initial_from_draft(draft) -> dict:
    """A draft resumes with everything its author had typed."""
    content = draft.content
    initial = {
        key: content.get(key)
        for key in ("assessed_on", "review_date", "notes", "professional_judgement", "potential_escalation")
    }
    for key in ("assessed_on", "review_date"):
        initial[key] = date.fromisoformat(initial[key]) if initial[key] else None
    for code, answer in content.get("answers", {}).items():
        initial.update({f"{code}-{name}": value for name, value in answer.items()})
    return initial
