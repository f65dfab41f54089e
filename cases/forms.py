import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Fluid, Layout, Size
from django import forms
from django.utils import timezone

from eip.fields import DateField

from .models import Case, Consent, Consultation, InterventionSession, Modality, OnwardReferral


def case_form_helper(*fields):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.render_hidden_fields = True  # the case version, below
    helper.layout = Layout(*fields)
    return helper


def version_field():
    """The case's version when the page was drawn, sent back with a form that changes the
    case's own fields: the service refuses a save from an out-of-date page instead of
    overwriting what someone else saved meanwhile. A plain field that never fails
    validation (an error on a hidden field is one no one can see): the view reads it with
    `page_version`, and anything unusable counts as out of date."""
    return forms.Field(widget=forms.HiddenInput, required=False)


def page_version(data, field: str = "version") -> int:
    """The version a submitted page showed; a page without a usable one counts as out of date."""
    version = data.get(field)
    if isinstance(version, str) and re.fullmatch(r"[0-9]{1,9}", version.strip()):
        return int(version)
    return -1


class TimeField(forms.CharField):
    """A time typed as 14:30 or 2:30pm."""

    def to_python(self, value):
        value = super().to_python(value).strip().lower().replace(".", ":")
        if not value:
            return None
        for fmt in ("%H:%M", "%I:%M%p", "%I%p", "%H"):
            try:
                return timezone.datetime.strptime(value.replace(" ", ""), fmt).time()
            except ValueError:
                continue
        raise forms.ValidationError("Enter a time, for example 14:30 or 2:30pm")


def _combine(day, at_time):
    return timezone.make_aware(timezone.datetime.combine(day, at_time))


class ConsultationScheduleForm(forms.Form):
    day = DateField(label="Date", help_text="For example, 27 3 2026")
    at = TimeField(label="Time", help_text="For example, 14:30")
    modality = forms.ChoiceField(
        label="How will it be held?",
        widget=forms.RadioSelect,
        choices=Consultation._meta.get_field("modality").choices,
        error_messages={"required": "Select telephone or secure video"},
    )
    attendees = forms.CharField(
        label="Who will attend?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Names and roles, for example the social worker and their manager.",
        error_messages={"required": "Say who will attend"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].error_messages["required"] = "Enter the date of the consultation"
        self.fields["at"].error_messages["required"] = "Enter the time of the consultation"
        self.helper = case_form_helper(
            Field("day"),
            Field.text("at", field_width=Fixed.FIVE),
            Field.radios("modality", legend_size=Size.SMALL, inline=True),
            Field.textarea("attendees", rows=3),
        )

    def service_arguments(self):
        d = self.cleaned_data
        return {
            "scheduled_at": _combine(d["day"], d["at"]),
            "modality": d["modality"],
            "attendees": d["attendees"],
        }


class ConsultationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What was decided?",
        widget=forms.RadioSelect,
        choices=Consultation.Outcome.choices,
        required=False,
    )
    not_suitable_reason = forms.ChoiceField(
        label="If not suitable, why?",
        required=False,
        widget=forms.RadioSelect,
        choices=Consultation.NotSuitableReason.choices,
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(
            Field.radios("outcome", legend_size=Size.SMALL),
            Field.radios("not_suitable_reason", legend_size=Size.SMALL),
            Field.textarea("notes", rows=4),
        )


class RiskPlanForm(forms.Form):
    risks = forms.CharField(label="Risks", widget=forms.Textarea, required=False)
    protective_factors = forms.CharField(label="Protective factors", widget=forms.Textarea, required=False)
    safety_planning = forms.CharField(
        label="Safety planning for the partner and children",
        widget=forms.Textarea,
        required=False,
        help_text="Seen only by practitioners, supervisors and the referring social worker.",
    )
    contingency = forms.CharField(
        label="Contingency",
        widget=forms.Textarea,
        required=False,
        help_text="What happens if risk rises or the plan cannot be followed.",
    )
    change_note = forms.CharField(
        label="What changed in this version?", required=False, help_text="Needed from the second version on."
    )
    # The plan version the page showed (0 for none): a revision typed over an older plan is refused.
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(
            Field.textarea("risks", rows=5),
            Field.textarea("protective_factors", rows=4),
            Field.textarea("safety_planning", rows=5),
            Field.textarea("contingency", rows=4),
            Field.text("change_note", field_width=Fluid.FULL),
        )


class PlanActionForm(forms.Form):
    action = forms.CharField(label="Action", required=False)
    owner = forms.CharField(label="Owner", required=False)
    due = DateField(label="By when", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = int(self.prefix.rsplit("-", 1)[-1]) + 1
        for name in ("action", "owner", "due"):
            self.fields[name].label = f"Action {number}: {self.fields[name].label.lower()}"
        self.helper = case_form_helper(
            Field.text("action", field_width=Fluid.FULL),
            Field.text("owner", field_width=Fluid.ONE_HALF),
            Field("due"),
        )

    def to_action(self):
        d = self.cleaned_data
        if not (d.get("action") or d.get("owner") or d.get("due")):
            return None
        return {"action": d.get("action", ""), "owner": d.get("owner", ""), "due": d.get("due")}


def plan_action_formset(*, data=None, initial=(), extra=2):
    return forms.formset_factory(PlanActionForm, extra=extra, max_num=20)(
        data=data, initial=list(initial), prefix="actions"
    )


class ConsentForm(forms.Form):
    party = forms.ChoiceField(
        label="Whose consent is this?",
        choices=Consent.Party.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whose consent this is"},
    )
    given_on = DateField(today_by_default=True, label="Date consent was given", help_text="For example, 27 3 2026")
    method = forms.ChoiceField(
        label="How was it obtained?",
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how consent was obtained"},
    )
    obtained_by = forms.CharField(
        label="Obtained by",
        help_text="Name and role.",
        error_messages={"required": "Say who obtained consent"},
    )
    sharing = forms.CharField(
        label="What may be shared, with whom?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what may be shared, with whom"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].error_messages["required"] = "Enter the date consent was given"
        self.helper = case_form_helper(
            Field.radios("party", legend_size=Size.SMALL, inline=True),
            Field("given_on"),
            Field.radios("method", legend_size=Size.SMALL),
            Field.text("obtained_by", field_width=Fluid.TWO_THIRDS),
            Field.textarea("sharing", rows=3),
        )

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on and given_on > timezone.localdate():
            raise forms.ValidationError("The date consent was given must be today or in the past")
        return given_on


class ConsentWithdrawalForm(forms.Form):
    withdrawn_on = DateField(today_by_default=True, label="Date consent was withdrawn")
    notes = forms.CharField(
        label="What was said, and what happens now",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Record what was said and what happens now"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].error_messages["required"] = "Enter the date consent was withdrawn"
        self.helper = case_form_helper(Field("withdrawn_on"), Field.textarea("notes", rows=3))


class InterventionStartForm(forms.Form):
    started_on = DateField(today_by_default=True, label="Date of the first session or contact")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].error_messages["required"] = "Enter the date the intervention started"
        self.helper = case_form_helper(Field("started_on"))


class SessionForm(forms.Form):
    held_on = DateField(today_by_default=True, label="Date of the session")
    modality = forms.ChoiceField(
        label="How was it held?",
        choices=Modality.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the session was held"},
    )
    attendance = forms.ChoiceField(
        label="Attendance",
        choices=InterventionSession.Attendance.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the client attended"},
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        # A text box, as GOV.UK advises for numbers (a number input loses the GOV.UK style).
        widget=forms.TextInput,
        required=False,
        min_value=1,
        max_value=480,
        error_messages={
            "invalid": "Enter the length as a number of minutes",
            "min_value": "Enter a length of at least 1 minute",
            "max_value": "Enter a length of 480 minutes or less",
        },
    )
    topics = forms.MultipleChoiceField(
        label="Topics covered",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=InterventionSession.Topic.choices,
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].error_messages["required"] = "Enter the date of the session"
        self.helper = case_form_helper(
            Field("held_on"),
            Field.radios("modality", legend_size=Size.SMALL, inline=True),
            Field.radios("attendance", legend_size=Size.SMALL, inline=True),
            Field.text("duration_minutes", field_width=Fixed.THREE, inputmode="numeric"),
            Field.checkboxes("topics", legend_size=Size.SMALL),
            Field.textarea("notes", rows=5),
        )

    def clean(self):
        # The service refuses it too; said here so the message sits with the other fields' errors.
        data = super().clean()
        if (
            data.get("attendance") == "attended"
            and not data.get("duration_minutes")
            and "duration_minutes" not in self.errors
        ):
            self.add_error("duration_minutes", "Enter how long the session lasted")
        return data


class AccessibilityForm(forms.ModelForm):
    version = version_field()

    class Meta:
        model = Case
        fields = ["accessibility_adaptations", "interpreter_used", "interpreter_language"]
        labels = {
            "accessibility_adaptations": "Adaptations for the client",
            "interpreter_used": "An interpreter is used in sessions",
            "interpreter_language": "Interpreter language",
        }
        help_texts = {
            "accessibility_adaptations": "For example, session reminders the day before, "
            "easy-read materials, shorter sessions."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        self.helper = case_form_helper(
            Field.textarea("accessibility_adaptations", rows=3),
            Field.checkbox("interpreter_used"),
            Field.text("interpreter_language", field_width=Fluid.ONE_HALF),
        )


class MeetingForm(forms.Form):
    held_on = DateField(today_by_default=True, label="Date of the meeting")
    attendees = forms.CharField(
        label="Who attended?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say who attended"},
    )
    risk_updates = forms.CharField(label="Risk updates", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    actions = forms.CharField(label="Actions agreed", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    progress_update = forms.CharField(
        label="Progress update for the referrer (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A short summary of progress and session content. The referrer is e-mailed a link to read it in EIP.",
    )
    send_progress_update = forms.BooleanField(label="Send the progress update to the referrer now", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].error_messages["required"] = "Enter the date of the meeting"
        self.helper = case_form_helper(
            Field("held_on"),
            Field.textarea("attendees", rows=2),
            Field.textarea("risk_updates", rows=4),
            Field.textarea("actions", rows=4),
            Field.textarea("progress_update", rows=4),
            Field.checkbox("send_progress_update"),
        )

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on and held_on > timezone.localdate():
            raise forms.ValidationError("The date of the meeting must be today or in the past")
        return held_on


class DisclosureForm(forms.Form):
    disclosed_on = DateField(today_by_default=True, label="Date of the disclosure")
    description = forms.CharField(
        label="What was disclosed?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe what was disclosed"},
    )
    escalate = forms.BooleanField(
        label="This raises the risk: refer to the high-risk IDVA service and MARAC", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disclosed_on"].error_messages["required"] = "Enter the date of the disclosure"
        self.helper = case_form_helper(
            Field("disclosed_on"), Field.textarea("description", rows=4), Field.checkbox("escalate")
        )


class RiskActionDoneForm(forms.Form):
    done_on = DateField(today_by_default=True, label="Date done")
    notes = forms.CharField(label="What was done", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].error_messages["required"] = "Enter the date it was done"
        self.helper = case_form_helper(Field("done_on"), Field.textarea("notes", rows=2))


class OnwardReferralForm(forms.Form):
    service = forms.ChoiceField(
        label="Service",
        choices=[("", "Select a service"), *OnwardReferral.Service.choices],
        error_messages={"required": "Select the service"},
    )
    service_other = forms.CharField(label="Other service", required=False)
    made_on = DateField(today_by_default=True, label="Date the referral was made")
    status = forms.ChoiceField(
        label="Status", choices=OnwardReferral.Status.choices, initial="made", widget=forms.RadioSelect
    )
    outcome = forms.CharField(label="Outcome (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["made_on"].error_messages["required"] = "Enter the date the referral was made"
        self.helper = case_form_helper(
            Field.select("service"),
            Field.text("service_other", field_width=Fluid.TWO_THIRDS),
            Field("made_on"),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field.textarea("outcome", rows=2),
        )


class OnwardReferralUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=OnwardReferral.Status.choices, widget=forms.RadioSelect)
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = version_field()  # the onward referral's version the page showed

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(
            Field.radios("status", legend_size=Size.SMALL, inline=True), Field.textarea("outcome", rows=2)
        )


class PartnerContactForm(forms.Form):
    contacted_on = DateField(today_by_default=True, label="Date of contact")
    by = forms.CharField(label="Contact made by", error_messages={"required": "Say who made contact"})
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Record what was discussed"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].error_messages["required"] = "Enter the date of contact"
        self.helper = case_form_helper(
            Field("contacted_on"),
            Field.text("by", field_width=Fluid.ONE_HALF),
            Field.textarea("notes", rows=4),
        )


class PartnerSupporterForm(forms.Form):
    supporter = forms.CharField(
        label="Who supports the partner?",
        required=False,
        max_length=200,  # the service saves it as typed: longer would be a database error
        help_text="For example, the social worker, a family support worker or an IDVA.",
    )
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(Field.text("supporter", field_width=Fluid.TWO_THIRDS))


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=Case.ClosureReason.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    exit_summary = forms.CharField(label="Exit summary", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    onward_plan = forms.CharField(label="Onward plan", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    no_exit_assessment_reason = forms.CharField(
        label="If the exit assessments could not be done, why?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(
            Field.radios("reason", legend_size=Size.SMALL),
            Field.textarea("exit_summary", rows=5),
            Field.textarea("onward_plan", rows=4),
            Field.textarea("no_exit_assessment_reason", rows=3),
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case being reopened?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
        help_text="Your reason is recorded on the case, and the supervisors and the social worker are told.",
        error_messages={"max_length": "Keep the reason to 2,000 characters or fewer"},
    )
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(Field.textarea("reason", rows=4))


CASE_STATUSES = [("open", "Open cases"), ("closed", "Closed cases"), ("all", "All cases")]


class CaseloadFilterForm(forms.Form):
    search = forms.CharField(label="Reference or client name", required=False)
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=CASE_STATUSES,
        widget=forms.RadioSelect,
        help_text="Open cases, unless you search: a search by name or reference looks through closed cases too.",
    )
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("", "Any stage"), *Case.Stage.choices],
    )
    practitioner = forms.ModelChoiceField(
        label="Practitioner", required=False, queryset=None, empty_label="All practitioners"
    )

    def __init__(self, *args, show_practitioner=False, **kwargs):
        super().__init__(*args, **kwargs)
        from eip.people.models import Role, User

        if show_practitioner:
            self.fields["practitioner"].queryset = User.objects.filter(role=Role.PRACTITIONER, is_active=True)
        else:
            del self.fields["practitioner"]
        # Drawn by cases.caseload_page.caseload_filter_fields, not crispy-forms: see there why.


class EmergencyAccessRequestForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this case now?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Your reason, your name and the time are recorded, and supervisors are told and review it.",
        error_messages={"max_length": "Keep the reason to 2,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(Field.textarea("reason", rows=4))


class EmergencyAccessDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Should this emergency access be opened?",
        choices=[
            ("approve", "Yes, approve it: access opens now for 24 hours"),
            ("refuse", "No, refuse it"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to approve or refuse the request"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you refuse it: say why.",
        error_messages={"max_length": "Keep the note to 2,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(Field.radios("decision", legend_size=Size.SMALL), Field.textarea("note", rows=3))


class EmergencyAccessReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Was this emergency access justified?",
        choices=[
            ("justified", "Justified"),
            ("not_justified", "Not justified: any time left ends now"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the emergency access was justified"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked and what you found, for example who you spoke to.",
        error_messages={"max_length": "Keep the note to 2,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = case_form_helper(Field.radios("outcome", legend_size=Size.SMALL), Field.textarea("note", rows=3))


def _practitioners():
    from eip.people.models import Role, User

    return User.objects.filter(role=Role.PRACTITIONER, is_active=True).order_by("full_name")


class CaseReassignForm(forms.Form):
    to_practitioner = forms.ModelChoiceField(
        label="Who will hold the case?",
        queryset=None,
        required=False,
        empty_label="Choose a practitioner",
    )
    reason = forms.CharField(
        label="Why is it being reassigned?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "Keep the reason to 2,000 characters or fewer"},
    )

    def __init__(self, *args, but=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = _practitioners()
        self.fields["to_practitioner"].queryset = people.exclude(pk=but.pk) if but is not None else people
        self.helper = case_form_helper(Field.select("to_practitioner"), Field.textarea("reason", rows=3))


class CaseloadChooseForm(forms.Form):
    """Whose caseload a supervisor is moving (a GET form)."""

    practitioner = forms.ModelChoiceField(
        label="Practitioner whose cases you are moving", queryset=None, required=False, empty_label="Choose"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = _practitioners()
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.select("practitioner"))


class CaseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, case):
        return f"{case.referral.reference} – {case.referral.client_first_name} {case.referral.client_last_name}"


class CaseloadReassignForm(CaseReassignForm):
    cases = CaseChoiceField(
        label="Cases to move",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Move all of them, or choose some for one colleague and the rest for another.",
    )
    field_order = ["cases", "to_practitioner", "reason"]

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["to_practitioner"].label = "Who will hold them?"
        self.fields["reason"].label = "Why are they being reassigned?"
        self.helper = case_form_helper(
            Field.checkboxes("cases", legend_size=Size.SMALL, small=True),
            Field.select("to_practitioner"),
            Field.textarea("reason", rows=3),
        )


class AbsenceForm(forms.Form):
    practitioner = forms.ModelChoiceField(label="Who is away?", queryset=None, required=False, empty_label="Choose")
    starts_on = DateField(label="First day away", help_text="For example, 27 3 2026", required=False)
    ends_on = DateField(label="Last day away", help_text="For example, 3 4 2026", required=False)
    cover = forms.ModelChoiceField(
        label="Who covers?",
        queryset=None,
        required=False,
        empty_label="Choose a practitioner",
        help_text="They receive the reminders and intake-duty notifications, and can work the cases, on those days.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from eip.people.models import Role

        self.fields["cover"].queryset = _practitioners()
        fields = [Field("starts_on"), Field("ends_on"), Field.select("cover")]
        if user.role == Role.SUPERVISOR:
            self.fields["practitioner"].queryset = _practitioners()
            fields.insert(0, Field.select("practitioner"))
        else:
            del self.fields["practitioner"]
        self.helper = case_form_helper(*fields)
