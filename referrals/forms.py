from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Fluid, Layout, Size
from django import forms

from eip.fields import DateField

from .amending import REFERRAL_ANSWERS
from .models import (
    LateReferralAgreement,
    PartnerDetails,
    PoliceOrder,
    Referral,
    ReferredChild,
    RiskMarker,
)
from .services import LATE_AGREEMENT_NEEDS


def _no_form_tag(*fields):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


class ReferralForm(forms.ModelForm):
    """Everything the social worker types. Nothing is required to save a draft; what a
    submission needs is checked by referral_submit(), and its messages shown beside the fields."""

    client_date_of_birth = DateField(label="Date of birth", required=False, help_text="For example, 27 3 1988")
    risk_markers = forms.MultipleChoiceField(
        label="Which early intervention risk markers have you seen?",
        required=False,
        choices=RiskMarker.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    orders = forms.MultipleChoiceField(
        label="Which orders or conditions are in place?",
        required=False,
        choices=PoliceOrder.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Leave blank if there are none.",
    )
    dash_score = forms.IntegerField(
        label="DASH score",
        required=False,
        min_value=0,
        max_value=24,
        help_text="The number of ‘yes’ answers, from 0 to 24.",
        error_messages={
            "min_value": "The DASH score must be 0 or more",
            "max_value": "The DASH score must be 24 or fewer",
            "invalid": "Enter the DASH score as a number",
        },
    )

    class Meta:
        model = Referral
        fields = REFERRAL_ANSWERS
        labels = {
            "team": "Which team are you in?",
            "team_other": "Name of your team",
            "referrer_phone": "Your phone number",
            "client_first_name": "First name",
            "client_last_name": "Last name",
            "client_gender": "Gender",
            "client_ethnicity": "Ethnicity",
            "client_first_language": "First language",
            "client_interpreter_needed": "Does the client need an interpreter?",
            "client_additional_needs": "Additional needs (optional)",
            "client_phone": "Phone number",
            "client_email": "Email address (optional)",
            "client_address": "Address",
            "client_postcode": "Postcode",
            "client_safe_contact_times": "Safe times to contact the client (optional)",
            "risk_markers_other": "Other risk marker",
            "police_involved": "Have the police been involved?",
            "police_details": "Police involvement (optional)",
            "dash_completed": "Has a DASH risk checklist been completed?",
            "accommodation_may_be_needed": "Might the client need temporary accommodation?",
            "client_willingness": "How willing is the client to engage?",
            "case_dynamic": "The case in your words",
        }
        help_texts = {
            "client_additional_needs": "For example, learning difficulties, memory problems, "
            "disabilities, or reminders needed before sessions.",
            "police_details": "Call-outs, arrests, charges, dates.",
            "case_dynamic": "As much concise information about the case dynamic as you can: "
            "what is happening in the family, how long, what has been tried.",
            "client_safe_contact_times": "When the client can be called without risk.",
        }

    def __init__(self, *args, only=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.required = False
            if isinstance(field, forms.TypedChoiceField) and field.choices and field.choices[0][0] == "":
                # Radios need no blank option.
                field.choices = field.choices[1:]
                field.widget = forms.RadioSelect(choices=field.choices)
            if name == "client_ethnicity":
                field.widget = forms.Select(choices=[("", "Select ethnicity"), *field.choices])
        if only is not None:
            # One step of the form: its questions only (the others stay as stored).
            for name in list(self.fields):
                if name not in only:
                    del self.fields[name]
        self.helper = _no_form_tag(*(self.LAYOUT[name] for name in self.fields))

    LAYOUT = {
        "team": Field.radios("team", legend_size=Size.SMALL),
        "team_other": Field.text("team_other", field_width=Fluid.TWO_THIRDS),
        "referrer_phone": Field.text("referrer_phone", field_width=Fixed.TWENTY),
        "client_first_name": Field.text("client_first_name", field_width=Fluid.ONE_HALF),
        "client_last_name": Field.text("client_last_name", field_width=Fluid.ONE_HALF),
        "client_date_of_birth": Field("client_date_of_birth"),
        "client_gender": Field.radios("client_gender", legend_size=Size.SMALL),
        "client_ethnicity": Field.select("client_ethnicity"),
        "client_first_language": Field.text("client_first_language", field_width=Fluid.ONE_HALF),
        "client_interpreter_needed": Field.radios("client_interpreter_needed", legend_size=Size.SMALL, inline=True),
        "client_additional_needs": Field.textarea("client_additional_needs", rows=3),
        "client_phone": Field.text("client_phone", field_width=Fixed.TWENTY),
        "client_email": Field.text("client_email", field_width=Fluid.TWO_THIRDS),
        "client_address": Field.textarea("client_address", rows=3),
        "client_postcode": Field.text("client_postcode", field_width=Fixed.TEN),
        "client_safe_contact_times": Field.text("client_safe_contact_times", field_width=Fluid.TWO_THIRDS),
        "risk_markers": Field.checkboxes("risk_markers", legend_size=Size.SMALL),
        "risk_markers_other": Field.text("risk_markers_other", field_width=Fluid.TWO_THIRDS),
        "police_involved": Field.radios("police_involved", legend_size=Size.SMALL, inline=True),
        "police_details": Field.textarea("police_details", rows=3),
        "orders": Field.checkboxes("orders", legend_size=Size.SMALL),
        "dash_completed": Field.radios("dash_completed", legend_size=Size.SMALL, inline=True),
        "dash_score": Field.text("dash_score", field_width=Fixed.TWO, inputmode="numeric"),
        "accommodation_may_be_needed": Field.radios("accommodation_may_be_needed", legend_size=Size.SMALL, inline=True),
        "client_willingness": Field.radios("client_willingness", legend_size=Size.SMALL),
        "case_dynamic": Field.textarea("case_dynamic", rows=8),
    }


class PartnerForm(forms.ModelForm):
    date_of_birth = DateField(label="Date of birth (optional)", required=False, help_text="For example, 27 3 1990")

    class Meta:
        model = PartnerDetails
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "phone",
            "address",
            "postcode",
            "lives_with_client",
            "safe_contact",
            "safe_address",
        ]
        labels = {
            "first_name": "Partner's first name",
            "last_name": "Partner's last name (optional)",
            "gender": "Partner's gender",
            "phone": "Partner's phone number (optional)",
            "address": "Partner's address (optional)",
            "postcode": "Partner's postcode (optional)",
            "lives_with_client": "Does the partner live with the client?",
            "safe_contact": "How to contact the partner safely (optional)",
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "partner")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            if isinstance(field, forms.TypedChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = field.choices[1:]
                field.widget = forms.RadioSelect(choices=field.choices)
        self.fields["safe_address"].label = "This is a safe address: never show it, and changes need a second person"
        if self.instance and self.instance.pk and self.instance.safe_address and not self.is_bound:
            # A safe address is not shown again, even here: leave blank to keep it.
            self.initial["address"] = self.initial["postcode"] = ""
            self.fields[
                "address"
            ].help_text = (
                "Saved and withheld. Type a new address only if it has changed: a second person must confirm it."
            )
        self.helper = _no_form_tag(
            Field.text("first_name", field_width=Fluid.ONE_HALF),
            Field.text("last_name", field_width=Fluid.ONE_HALF),
            Field("date_of_birth"),
            Field.radios("gender", legend_size=Size.SMALL),
            Field.text("phone", field_width=Fixed.TWENTY),
            Field.textarea("address", rows=3),
            Field.text("postcode", field_width=Fixed.TEN),
            Field.checkbox("safe_address"),
            Field.radios("lives_with_client", legend_size=Size.SMALL, inline=True),
            Field.textarea("safe_contact", rows=3),
        )


class ChildForm(forms.Form):
    age = forms.IntegerField(
        label="Age in years",
        required=False,
        min_value=0,
        max_value=18,
        error_messages={
            "min_value": "Enter an age from 0 to 18",
            "max_value": "Enter an age from 0 to 18",
            "invalid": "Enter the age as a number, for example 7",
        },
    )
    plan = forms.ChoiceField(label="Plan", required=False, choices=[("", "Select a plan"), *ReferredChild.Plan.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = self.prefix.rsplit("-", 1)[-1]
        self.fields["age"].label = f"Child {int(number) + 1}: age in years"
        self.fields["plan"].label = f"Child {int(number) + 1}: plan"
        self.helper = _no_form_tag(Field.text("age", field_width=Fixed.TWO, inputmode="numeric"), Field.select("plan"))

    def clean(self):
        data = super().clean()
        if data.get("age") is not None and not data.get("plan"):
            self.add_error("plan", "Select whether this child is on a plan, or ‘Not known’")
        if data.get("plan") and data.get("age") is None and "age" not in self.errors:
            self.add_error("age", "Enter this child's age")
        return data

    def to_child(self):
        data = self.cleaned_data
        if data.get("age") is None:
            return None
        return ReferredChild(age=data["age"], plan=data["plan"])


ChildFormSet = forms.formset_factory(ChildForm, extra=0, max_num=12)


def child_formset(*, referral, data=None, extra=1):
    initial = [{"age": c.age, "plan": c.plan} for c in referral.children.all()] if referral.pk else []
    formset_class = forms.formset_factory(ChildForm, extra=extra, max_num=12)
    return formset_class(data=data, initial=initial, prefix="children")


class AcknowledgeForm(forms.Form):
    consultation_timeline = forms.CharField(
        label="When should the social worker expect the case consultation?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        initial="We will contact you within 5 working days to arrange the case consultation by phone or secure video.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_form_tag(Field.textarea("consultation_timeline", rows=3))


class RequestInformationForm(forms.Form):
    request = forms.CharField(
        label="What information do you need?", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_form_tag(Field.textarea("request", rows=5))


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the referral declined?",
        required=False,
        choices=Referral.DeclineReason.choices,
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label="Details",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when the reason is ‘Other’.",
    )
    suggested_onward_referrals = forms.CharField(
        label="Suggested onward referrals (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the borough's victim support service or a DVPP.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_form_tag(
            Field.radios("reason", legend_size=Size.SMALL),
            Field.textarea("details", rows=4),
            Field.textarea("suggested_onward_referrals", rows=4),
        )


class LateAgreementForm(forms.Form):
    party = forms.ChoiceField(
        label="Whose agreement is this?",
        required=False,
        choices=LateReferralAgreement.Party.choices,
        widget=forms.RadioSelect,
    )
    agreed_by = forms.CharField(label="Name of the person who agreed", required=False, max_length=150)
    agreed_on = DateField(label="Date of the agreement", required=False, help_text="For example, 14 1 2021")
    document = forms.FileField(
        label="The written agreement", required=False, help_text="A PDF, Word document or photo, up to 10 MB."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_form_tag(
            Field.radios("party", legend_size=Size.SMALL),
            Field.text("agreed_by", field_width=Fluid.TWO_THIRDS),
            Field("agreed_on"),
            Field("document"),
        )

    def clean(self):
        # The service refuses the same (referral_record_late_agreement); asked here too so every
        # missing answer is shown at once with the form's other errors.
        data = super().clean()
        for name, message in LATE_AGREEMENT_NEEDS:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing the referral?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The practitioners will see this.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _no_form_tag(Field.textarea("reason", rows=4))
