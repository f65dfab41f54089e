from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.views import case_for_page, case_page_render
from eip import access, outbound
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.forms_util import error_summary, submit

from . import documents, services
from .forms import DecisionForm, EndForm, ExtensionForm, InvoiceForm, PlacementForm, RequestForm, ReturnHomeReviewForm
from .models import AccommodationRequest, Invoice, Placement, PlacementExtension

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
    }
    placement = services.current_placement(case)
    if which and not can_request:
        return HttpResponse(status=403)
    user = request.user
    done = False
    if which == "request":
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
        blockers=services.request_blockers(case),
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
    form = PlacementForm(request.POST or None)
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.placement_propose(request=accommodation, user=request.user, **d),
        "Placement proposed. Camden finance has been asked to approve the spend.",
    ):
        return redirect("housing-request", pk=pk)
    return render(
        request,
        "accommodation/housing_request.html",
        {
            "accommodation": accommodation,
            "form": form,
            "errors": error_summary(form),
            "placements": list(accommodation.placements.all()),
        },
    )


# --- finance ------------------------------------------------------------------------------


@access.policy("fund.view")
def finance_overview(request):
    fund = services.active_fund()
    placements = Placement.objects.select_related("request__borough", "request__case__referral").order_by(
        "-proposed_at"
    )
    waiting = [p for p in placements if p.status == "proposed"]
    current = [p for p in placements if p.status == "approved"]
    extensions = list(
        PlacementExtension.objects.filter(status="requested").select_related("placement__request__case__referral")
    )
    audit_list_viewed(
        actor=request.user,
        model=Placement,
        ids=sorted({p.pk for p in waiting + current} | {e.placement_id for e in extensions}),
        label="Accommodation fund",
        page="finance-overview",
    )
    return render(
        request,
        "accommodation/finance_overview.html",
        {
            "fund": fund,
            "position": services.fund_position(fund) if fund else None,
            "by_borough": services.fund_by_borough(fund),
            "waiting": waiting,
            "extensions": extensions,
            "current": current,
            "show_actions": access.allowed(request.user, "finance.decide"),
        },
    )


@access.policy("finance.view")
def finance_placement(request, pk):
    placement = access.get_for_user(
        request.user,
        "finance.view",
        Placement.objects.select_related("request__borough", "request__case__referral"),
        pk=pk,
    )
    audit_record(actor=request.user, action=AuditEvent.Action.VIEWED, record=placement)
    which = request.POST.get("form") if request.method == "POST" else None
    decision = DecisionForm(request.POST if which == "decision" else None)
    invoice_form = InvoiceForm(request.POST if which == "invoice" else None)
    extension = placement.extensions.filter(status="requested").first()
    extension_form = DecisionForm(request.POST if which == "extension" else None)
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
    if done:
        return redirect("finance-placement", pk=pk)
    fund = placement.fund
    return render(
        request,
        "accommodation/finance_placement.html",
        {
            "placement": placement,
            "decision": decision,
            "invoice_form": invoice_form,
            "extension": extension,
            "extension_form": extension_form,
            "invoices": list(placement.invoices.all()),
            "position": services.fund_position(fund) if fund else None,
            "errors": error_summary(decision, invoice_form, extension_form),
        },
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
    except services.AccommodationError as refused:
        messages.error(request, str(refused))
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
