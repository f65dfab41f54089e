from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Fluid, Layout, Size
from django import forms

from eip.fields import DateField
from eip.money import sterling

from .models import MOVE_ON_PAYMENT_KINDS, AccommodationFoundElsewhere, Invoice, Placement


def _helper(*fields):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields)
    return helper


def _money_field(label, **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=8,
        decimal_places=2,
        min_value=0,
        required=False,
        error_messages={
            "invalid": "Enter an amount in pounds, for example 65.00",
            "min_value": "Enter an amount of 0 or more",
            "max_decimal_places": "Enter pounds and pence, for example 65.50",
        },
        **kwargs,
    )


def _where_fields(what):
    """How far from the family, and inside the borough or not: asked of a stay and of a new home."""
    distance = forms.DecimalField(
        label="Distance from the family home (miles)"
        if what == "placement"
        else f"Distance of the new {what} from the family home (miles)",
        max_digits=6,
        decimal_places=1,
        min_value=0,
        error_messages={
            "required": "Enter the distance from the family home",
            "invalid": "Enter the distance as a number",
        },
    )
    outside = forms.BooleanField(label=f"The {what} is outside the borough", required=False)
    justification = forms.CharField(
        label=f"Why a {what} outside the borough is safe", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    return distance, outside, justification


class RequestForm(forms.Form):
    needed_from = DateField(label="Needed from", required=False)
    reason = forms.CharField(
        label="Why is accommodation needed?", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    risks_and_mitigation = forms.CharField(
        label="Risks of the move, and how they are mitigated",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Including the risk that the placement is used to keep control.",
    )
    scenario_planning = forms.CharField(
        label="Scenario planning",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What happens if the couple separate after four weeks, or if return home is unsafe.",
    )
    housing_options_explained = forms.BooleanField(
        label="The client and the partner have been told about local housing options", required=False
    )
    preferred_area = forms.CharField(label="Preferred area (optional)", required=False, max_length=200)
    exclusion_areas = forms.CharField(
        label="Exclusion areas",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where the client must not be placed, for example near the family home or the children's school. "
        "Housing sees this, never the partner's address.",
    )
    housing_notes = forms.CharField(
        label="What housing needs to know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, mobility needs. Housing sees only this, not the case.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field("needed_from"),
            Field.textarea("reason", rows=4),
            Field.textarea("risks_and_mitigation", rows=4),
            Field.textarea("scenario_planning", rows=4),
            Field.checkbox("housing_options_explained"),
            Field.text("preferred_area", field_width=Fluid.TWO_THIRDS),
            Field.textarea("exclusion_areas", rows=3),
            Field.textarea("housing_notes", rows=3),
        )


class PlacementForm(forms.Form):
    provider = forms.CharField(label="Provider", error_messages={"required": "Enter the provider"})
    kind = forms.ChoiceField(
        label="Type",
        choices=[(k, label) for k, label in Placement.Kind.choices if k not in MOVE_ON_PAYMENT_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of placement"},
    )
    address = forms.CharField(
        label="Address",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the address of the placement"},
    )
    nightly_rate = _money_field("Cost per night (£)", help_text="Leave blank if there is a single amount.")
    fixed_amount = _money_field(
        "Or a single amount (£)",
        help_text="For a stay charged as one sum. A deposit or rent for the client's next home is a move-on payment.",
    )
    start_on = DateField(label="Start")
    planned_end_on = DateField(label="Planned end", help_text="At most four weeks after the start.")
    distance_miles, out_of_borough, out_of_borough_justification = _where_fields("placement")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_on"].error_messages["required"] = "Enter the start date"
        self.fields["planned_end_on"].error_messages["required"] = "Enter the planned end date"
        self.helper = _helper(
            Field.text("provider", field_width=Fluid.TWO_THIRDS),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.textarea("address", rows=3),
            Field.text("nightly_rate", field_width=Fixed.TEN),
            Field.text("fixed_amount", field_width=Fixed.TEN),
            Field("start_on"),
            Field("planned_end_on"),
            Field.text("distance_miles", field_width=Fixed.FIVE),
            Field.checkbox("out_of_borough"),
            Field.textarea("out_of_borough_justification", rows=3),
        )


class MoveOnPaymentForm(forms.Form):
    prefix = "payment"
    kind = forms.ChoiceField(
        label="What is the payment for?",
        choices=[(k, label) for k, label in Placement.Kind.choices if k in MOVE_ON_PAYMENT_KINDS[:3]],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the payment is for"},
    )
    payee_type = forms.ChoiceField(
        label="Who is paid?",
        choices=Placement.PayeeType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who is paid"},
    )
    payee = forms.CharField(
        label="Name of the landlord, agent or organisation",
        max_length=200,
        error_messages={"required": "Enter the name of the landlord, agent or organisation paid"},
    )
    address = forms.CharField(
        label="Address of the client's next home",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the address of the client's next home"},
    )
    amount = _money_field("Amount (£)")
    due_on = DateField(label="Date the payment is due")
    distance_miles, out_of_borough, out_of_borough_justification = _where_fields("home")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = True
        self.fields["amount"].error_messages["required"] = "Enter the amount of the payment"
        self.helper = _helper(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.radios("payee_type", legend_size=Size.SMALL),
            Field.text("payee", field_width=Fluid.TWO_THIRDS),
            Field.textarea("address", rows=3),
            Field.text("amount", field_width=Fixed.TEN),
            Field("due_on"),
            Field.text("distance_miles", field_width=Fixed.FIVE),
            Field.checkbox("out_of_borough"),
            Field.textarea("out_of_borough_justification", rows=3),
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve the spend"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select approve or reject"},
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Needed when you reject."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("decision", legend_size=Size.SMALL, inline=True), Field.textarea("notes", rows=2)
        )


class ExtensionForm(forms.Form):
    new_end_on = DateField(label="New end date", required=False)
    reason = forms.CharField(
        label="Why is an extension needed?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("new_end_on"), Field.textarea("reason", rows=3))


class InvoiceForm(forms.Form):
    reference = forms.CharField(
        label="Invoice number", max_length=100, error_messages={"required": "Enter the invoice number"}
    )
    amount = _money_field("Amount (£)")
    received_on = DateField(today_by_default=True, label="Date received")
    over_approved_reason = forms.CharField(
        label="If it is more than was approved, why (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, damage charged by the provider. Needed only when the invoices for this placement "
        "come to more than was approved.",
    )
    final = forms.BooleanField(
        label="This is the provider's final invoice for the placement",
        required=False,
        help_text="Once the placement has ended: the commitment becomes what was invoiced and the rest returns "
        "to the fund.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].error_messages["required"] = "Enter the date the invoice was received"
        self.helper = _helper(
            Field.text("reference", field_width=Fluid.ONE_HALF),
            Field.text("amount", field_width=Fixed.TEN),
            Field("received_on"),
            Field.textarea("over_approved_reason", rows=2),
            Field.checkbox("final"),
        )


class PaymentForm(forms.Form):
    invoice = forms.ModelChoiceField(
        label="Invoice paid",
        queryset=Invoice.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the invoice that was paid"},
    )
    paid_on = DateField(today_by_default=True, label="Date paid")

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = Invoice.objects.filter(pk__in=[i.pk for i in invoices])
        self.fields["invoice"].label_from_instance = lambda i: f"{i.reference}: {sterling(i.amount)}"
        self.fields["paid_on"].error_messages["required"] = "Enter the date it was paid"
        self.helper = _helper(Field.radios("invoice", legend_size=Size.SMALL), Field("paid_on"))


class FundFilterForm(forms.Form):
    """The fund page's filters: a phase, a borough, a month (all optional)."""

    phase = forms.TypedChoiceField(label="Phase", coerce=int, required=False)
    borough = forms.TypedChoiceField(label="Borough", coerce=int, required=False, empty_value=None)
    month = forms.ChoiceField(label="Month", required=False)

    def __init__(self, *args, phases, boroughs, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [(f.pk, f"{f.name} ({f.period})") for f in phases]
        self.fields["borough"].choices = [("", "All boroughs")] + [(b.pk, b.name) for b in boroughs]
        self.fields["month"].choices = [("", "All months")] + [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months]
        self.helper = _helper(Field.select("phase"), Field.select("borough"), Field.select("month"))


class ReturnHomeReviewForm(forms.Form):
    reviewed_on = DateField(today_by_default=True, label="Date of the review")
    risks_to_children = forms.CharField(
        label="Risks to the children", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    risks_to_adults = forms.CharField(label="Risks to adults", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    support_package = forms.CharField(
        label="Support package agreed", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    victims_view = forms.CharField(
        label="The partner's view (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    return_is_safe = forms.ChoiceField(
        label="Is a return home safe?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no"},
    )
    protective_steps = forms.CharField(
        label="If not, the agreed steps to protect the family", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].error_messages["required"] = "Enter the date of the review"
        self.helper = _helper(
            Field("reviewed_on"),
            Field.textarea("risks_to_children", rows=3),
            Field.textarea("risks_to_adults", rows=3),
            Field.textarea("support_package", rows=3),
            Field.textarea("victims_view", rows=2),
            Field.radios("return_is_safe", legend_size=Size.SMALL, inline=True),
            Field.textarea("protective_steps", rows=3),
        )

    def service_arguments(self):
        data = dict(self.cleaned_data)
        data["return_is_safe"] = data["return_is_safe"] == "yes"
        return data


class EndForm(forms.Form):
    ended_on = DateField(today_by_default=True, label="Date the client left")
    move_on = forms.ChoiceField(
        label="Where did the client move on to?",
        choices=Placement.MoveOn.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].error_messages["required"] = "Enter the date the client left"
        self.helper = _helper(
            Field("ended_on"), Field.radios("move_on", legend_size=Size.SMALL), Field.textarea("details", rows=2)
        )


class FoundElsewhereForm(forms.Form):
    prefix = "elsewhere"
    route = forms.ChoiceField(
        label="How did the client find accommodation?",
        choices=AccommodationFoundElsewhere.Route.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the client found accommodation"},
    )
    found_on = DateField(today_by_default=True, label="Date the client moved in")
    details = forms.CharField(
        label="Details", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Needed for another way."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["found_on"].error_messages["required"] = "Enter the date the client moved in"
        self.helper = _helper(
            Field.radios("route", legend_size=Size.SMALL), Field("found_on"), Field.textarea("details", rows=2)
        )
