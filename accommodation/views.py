from datetime import date, datetime
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.views.shell import case_for_page, case_page_render
from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.forms_util import error_summary, submit
from eip.people.models import Borough

from . import documents, finance, selectors, services
from .forms import (
    DecisionForm,
    EndForm,
    ExtensionForm,
    FoundElsewhereForm,
    FundFilterForm,
    InvoiceForm,
    MoveOnPaymentForm,
    PaymentForm,
    PlacementForm,
    RequestForm,
    ReturnHomeReviewForm,
)
from .models import AccommodationRequest, Fund, Invoice, Placement, PlacementExtension

# --- the case's accommodation section (practitioner) -------------------------------------


@access.policy("accommodation.view")
def case_accommodation(request, pk):
    case = case_for_page(request, pk, "accommodation.view")
    can_request = access.allowed(request.user, "accommodation.request", case)
    which = request.POST.get("form") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    forms = {
        "request": RequestForm(data if which == "request" else None),
        "extension": ExtensionForm(data if which == "extension" else None),
        "review": ReturnHomeReviewForm(data if which == "review" else None),
        "end": EndForm(data if which == "end" else None),
        "elsewhere": FoundElsewhereForm(data if which == "elsewhere" else None),
    }
    placement = services.current_placement(case)
    if which and not can_request:
        return HttpResponse(status=403)
    user = request.user
    done = False
    if which == "elsewhere":
        done = submit(
            request,
            forms["elsewhere"],
            lambda d: services.accommodation_found_elsewhere_record(case=case, user=user, **d),
            "Recorded: the client found accommodation another way.",
        )
    elif which == "request":
        done = submit(
            request,
            forms["request"],
            lambda d: services.accommodation_request(case=case, user=user, **d),
            "Accommodation requested. The borough's housing SPOC has been told.",
        )
    elif which in ("extension", "review", "end") and placement is None:
        messages.error(request, "There is no current placement.")
        done = True
    elif which == "extension":
        done = submit(
            request,
            forms["extension"],
            lambda d: services.extension_request(placement=placement, user=user, **d),
            "Extension requested. Finance has been asked to approve it.",
        )
    elif which == "review":
        done = submit(
            request,
            forms["review"],
            lambda d: services.return_home_review_record(placement=placement, user=user, **d),
            "Return-home review recorded.",
            arguments=forms["review"].service_arguments,
        )
    elif which == "end":
        done = submit(
            request,
            forms["end"],
            lambda d: services.placement_end(placement=placement, user=user, **d),
            "Move-on recorded and the placement ended.",
        )
    if done:
        return redirect("case-accommodation", pk=pk)
    requests = list(
        case.accommodation_requests.prefetch_related("placements__extensions", "placements__return_home_reviews")
    )
    open_request = next((r for r in requests if r.status in ("requested", "proposed", "approved")), None)
    return case_page_render(
        request,
        case,
        "accommodation/case_accommodation.html",
        "case-accommodation",
        requests=requests,
        open_request=open_request,
        placement=placement,
        can_request=can_request,
        can_download_agreement=access.allowed(request.user, "agreement.download"),
        blockers=services.request_blockers(case),
        found_elsewhere=list(case.accommodation_found_elsewhere.all()),
        forms=forms,
        days_left=services.days_left(placement) if placement else None,
        errors=error_summary(*forms.values()),
    )


# --- housing ------------------------------------------------------------------------------


@access.policy("housing.view")
def housing_list(request):
    requests = list(
        AccommodationRequest.objects.filter(borough_id=request.user.borough_id)
        .select_related("case__referral")
        .order_by("status", "needed_from")
    )
    audit_list_viewed(
        actor=request.user,
        model=AccommodationRequest,
        ids=[r.pk for r in requests],
        label="Accommodation requests",
        page="housing-list",
    )
    return render(request, "accommodation/housing_list.html", {"requests": requests})


@access.policy("housing.view")
def housing_request(request, pk):
    accommodation = access.get_for_user(
        request.user, "housing.view", AccommodationRequest.objects.select_related("case__referral", "borough"), pk=pk
    )
    audit_record(actor=request.user, action=AuditEvent.Action.VIEWED, record=accommodation)
    which = request.POST.get("form") if request.method == "POST" else None
    form = PlacementForm(request.POST if which != "payment" and request.method == "POST" else None)
    payment_form = MoveOnPaymentForm(request.POST if which == "payment" else None)
    placements = list(accommodation.placements.all())
    waiting = any(p.status == "proposed" for p in placements)
    can_pay = not waiting and accommodation.status in ("requested", "approved", "ended")
    if which == "payment" and can_pay:
        done = submit(
            request,
            payment_form,
            lambda d: services.move_on_payment_propose(request=accommodation, user=request.user, **d),
            "Move-on payment proposed. Camden finance has been asked to approve it.",
            forms_by_prefix={"": payment_form},
        )
    elif request.method == "POST" and which != "payment":
        done = submit(
            request,
            form,
            lambda d: services.placement_propose(request=accommodation, user=request.user, **d),
            "Placement proposed. Camden finance has been asked to approve the spend.",
        )
    else:
        done = False
    if done:
        return redirect("housing-request", pk=pk)
    return render(
        request,
        "accommodation/housing_request.html",
        {
            "accommodation": accommodation,
            "form": form,
            "payment_form": payment_form,
            "can_pay": can_pay,
            "errors": error_summary(form, payment_form),
            "placements": placements,
        },
    )


# --- finance ------------------------------------------------------------------------------


def _month(value: str) -> date | None:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError):
        return None


@access.policy("fund.view")
def finance_overview(request):
    """The fund page: a phase's position and forecast, and its placements by state, filtered by
    borough and month, each reachable by finance whatever its state."""
    phases = list(Fund.objects.all())
    current = services.active_fund()
    chosen = next((f for f in phases if str(f.pk) == request.GET.get("phase")), current)
    month_choices = selectors.months_of(chosen)
    filters = FundFilterForm(
        request.GET or None,
        phases=phases,
        boroughs=Borough.objects.order_by("name"),
        months=month_choices,
        initial={"phase": chosen.pk},
    )
    borough_id, month = None, None
    if filters.is_valid():
        borough_id = filters.cleaned_data["borough"]
        month = _month(filters.cleaned_data["month"])
    placements = selectors.placements_for_finance(fund=chosen, borough_id=borough_id, month=month)
    states = selectors.placements_by_state(placements)
    extensions = list(
        PlacementExtension.objects.filter(status="requested", placement__fund=chosen).select_related(
            "placement__request__case__referral"
        )
    )
    audit_list_viewed(
        actor=request.user,
        model=Placement,
        ids=sorted({p.pk for state in states for p in state["placements"]} | {e.placement_id for e in extensions}),
        label="Accommodation fund",
        page="finance-overview",
    )
    return render(
        request,
        "accommodation/finance_overview.html",
        {
            "fund": chosen,
            "is_current_phase": chosen == current,
            "filters": filters,
            "filtered": bool(borough_id or month),
            "position": services.fund_position(chosen),
            "forecast": finance.fund_forecast(chosen),
            "ledger_months": month_choices[:12],
            "by_borough": services.fund_by_borough(chosen),
            "states": states,
            "extensions": extensions,
            "show_actions": access.allowed(request.user, "finance.decide"),
        },
    )


@access.policy("finance.view")
def finance_placement(request, pk):
    placement = access.get_for_user(
        request.user,
        "finance.view",
        Placement.objects.select_related("request__borough", "request__case__referral", "fund"),
        pk=pk,
    )
    audit_record(actor=request.user, action=AuditEvent.Action.VIEWED, record=placement)
    which = request.POST.get("form") if request.method == "POST" else None
    decision = DecisionForm(request.POST if which == "decision" else None)
    invoice_form = InvoiceForm(request.POST if which == "invoice" else None)
    extension = placement.extensions.filter(status="requested").first()
    extension_form = DecisionForm(request.POST if which == "extension" else None)
    invoices = list(placement.invoices.all())
    unpaid = [i for i in invoices if i.paid_on is None]
    payment_form = PaymentForm(
        request.POST if which == "payment" else None, invoices=unpaid, initial={"paid_on": timezone.localdate()}
    )
    user = request.user
    done = False
    if which == "decision":
        done = submit(
            request,
            decision,
            lambda d: services.placement_decide(
                placement=placement, user=user, approve=d["decision"] == "approve", notes=d["notes"]
            ),
            "Decision recorded.",
        )
    elif which == "extension" and extension:
        done = submit(
            request,
            extension_form,
            lambda d: services.extension_decide(
                extension=extension, user=user, approve=d["decision"] == "approve", notes=d["notes"]
            ),
            "Decision recorded.",
        )
    elif which == "invoice":
        done = submit(
            request,
            invoice_form,
            lambda d: services.invoice_record(placement=placement, user=user, **d),
            "Invoice recorded.",
        )
    elif which == "payment":
        done = submit(
            request,
            payment_form,
            lambda d: services.invoice_pay(invoice=d["invoice"], user=user, paid_on=d["paid_on"]),
            "Payment recorded.",
        )
    if done:
        return redirect("finance-placement", pk=pk)
    return render(
        request,
        "accommodation/finance_placement.html",
        {
            "placement": placement,
            "decision": decision,
            "invoice_form": invoice_form,
            "payment_form": payment_form,
            "extension": extension,
            "extension_form": extension_form,
            "invoices": invoices,
            "unpaid": unpaid,
            "invoiced": sum((i.amount for i in invoices), Decimal("0")),
            "position": services.fund_position(placement.fund) if placement.fund_id else None,
            "errors": error_summary(decision, invoice_form, payment_form, extension_form),
        },
    )


@access.policy("finance.view")
def invoices_unpaid(request):
    invoices, total = selectors.invoices_unpaid()
    audit_list_viewed(
        actor=request.user,
        model=Placement,
        ids=sorted({i.placement_id for i in invoices}),
        label="Unpaid invoices",
        page="invoices-unpaid",
    )
    return render(request, "accommodation/invoices_unpaid.html", {"invoices": invoices, "total": total})


@access.policy("finance.view")
def finance_month_csv(request):
    """The month's ledger for Camden: placement, borough, provider, invoice, dates, nights,
    amount, paid date, phase. No client's name or address, no case narrative."""
    month = _month(request.GET.get("month", "")) or timezone.localdate().replace(day=1)
    content, invoices = finance.month_csv(month)
    placements = sorted({i.placement_id for i in invoices})
    released = outbound.outbound_release(
        content=content,
        audience="finance",
        channel="download",
        concerning=outbound.ReferralIds(
            Placement.objects.filter(pk__in=placements).order_by().values("request__case__referral_id")
        ),
        user=request.user,
        label="the month's accommodation ledger",
    )
    audit_list_viewed(
        actor=request.user, model=Placement, ids=placements, label=f"Ledger {month:%B %Y}", page="finance-month-csv"
    )
    return released.response(content_type="text/csv", filename=f"accommodation-ledger-{month:%Y-%m}.csv")


@access.policy("fund.view")
def fund_statement_pdf(request):
    """The printable fund statement: figures by borough, no case in it."""
    fund = Fund.objects.filter(pk=request.GET.get("phase") or 0).first() or services.active_fund()
    html = finance.statement_html(fund, user=request.user)
    released = outbound.outbound_release(
        content=html,
        audience=outbound.audience_for(request.user),
        channel="download",
        user=request.user,
        label="the fund statement",
    )
    return released.response(
        documents.html_to_pdf(html), content_type="application/pdf", filename=finance.statement_filename(fund)
    )


@require_POST
@access.policy("finance.decide")
def invoice_pay(request, pk, invoice_pk):
    invoice = Invoice.objects.filter(placement_id=pk, pk=invoice_pk).first()
    if invoice is None:
        raise Http404
    try:
        services.invoice_pay(invoice=invoice, user=request.user, paid_on=timezone.localdate())
        messages.success(request, f"Invoice {invoice.reference} marked as paid today.")
    except services.AccommodationIncomplete as refused:
        messages.error(request, " ".join(refused.errors.values()))
    except services.AccommodationError as refused:
        messages.error(request, str(refused))
    # Back to the list it was paid from; nothing from the request becomes a URL.
    if request.POST.get("back") == "unpaid":
        return redirect("invoices-unpaid")
    return redirect("finance-placement", pk=pk)


# --- the agreement ------------------------------------------------------------------------


@access.policy("agreement.download")
def agreement_pdf(request, pk):
    placement = access.get_for_user(
        request.user,
        "agreement.download",
        Placement.objects.select_related("request__case__referral", "request__case__practitioner", "request__borough"),
        pk=pk,
        status__in=["approved", "ended"],
    )
    # Made for the client, whoever downloads it: the guard reads it before it becomes a PDF.
    html = documents.agreement_html(placement)
    released = outbound.outbound_release(
        content=html,
        audience="client",
        channel="download",
        concerning=[placement.request.case],
        user=request.user,
        label="the accommodation agreement",
    )
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORTED,
        record=placement,
        detail={"document": "accommodation agreement"},
    )
    return released.response(
        documents.html_to_pdf(html),
        content_type="application/pdf",
        filename=f"accommodation-agreement-{placement.request.case.reference}.pdf",
    )
