"""Emergency access (breaking the glass): the request, and the supervisors' queue and review."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.forms_util import add_errors, error_summary, submit

from .. import break_glass, forms, services
from ..models import EmergencyAccess
from ..selectors import emergency_access_activity
from ..selectors import emergency_access_queue as emergency_access_queue_rows
from ..tabs import CASE_TABS


@access.policy("case.break_glass")
def case_break_glass(request, pk):
    """Ask for emergency access to a case one cannot normally see. The form says nothing about
    the case, and a case that does not exist, one in another borough and one whose borough has
    no agreement in force all get the same answer."""
    form = forms.EmergencyAccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = break_glass.emergency_access_request(
                case_number=pk, user=request.user, reason=form.cleaned_data["reason"]
            )
        except break_glass.EmergencyAccessUnavailable:
            return render(request, "cases/break_glass_unavailable.html", {"pk": pk})
        except services.CaseIncomplete as incomplete:
            add_errors(incomplete.errors, {"": form})
        except services.CaseError as refused:
            form.add_error(None, str(refused))
        else:
            if row.status == EmergencyAccess.Status.GRANTED:
                until = timezone.localtime(row.expires_at)
                messages.success(
                    request,
                    f"Emergency access granted until {until:%H:%M on %A %-d %B}. "
                    "Supervisors have been told and will review it.",
                )
                return redirect("case-detail", pk=pk)
            limit = settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS
            why = (
                f"You have had emergency access {limit} time{pluralize(limit)} or more in the last 30 days, so a "
                "supervisor must approve this request first."
                if limit
                else "Every request for emergency access needs a supervisor's approval first."
            )
            messages.info(
                request,
                f"{why} Supervisors have been told; you will get a notification when one decides. "
                "If anyone is in immediate danger, call 999.",
            )
            return redirect("home")
    return render(
        request,
        "cases/break_glass.html",
        {"form": form, "pk": pk, "errors": error_summary(form), "limit": settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS},
    )


def _emergency_access_for(request, pk):
    return access.get_for_user(
        request.user,
        "emergency_access.review",
        EmergencyAccess.objects.select_related(
            "case__referral", "case__borough", "user__borough", "decided_by", "reviewed_by"
        ),
        pk=pk,
    )


@access.policy("emergency_access.review")
def emergency_access_queue(request):
    """Supervisors: requests waiting for approval and grants waiting for review."""
    # Who opened which case in an emergency is itself sensitive: the look is on the trail.
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEWED,
        label="Emergency access queue",
        detail={"page": "emergency access queue"},
    )
    return render(
        request,
        "cases/emergency_access_queue.html",
        {**emergency_access_queue_rows(), "today": timezone.localdate()},
    )


@access.policy("emergency_access.review")
def emergency_access_detail(request, pk):
    """One request or grant: its reason, what was opened while it lasted, and the supervisor's
    approval (over the limit) or review (every grant)."""
    row = _emergency_access_for(request, pk)
    audit_record(actor=request.user, action=AuditEvent.Action.VIEWED, record=row, detail={"page": "emergency access"})
    which = request.POST.get("form") if request.method == "POST" else None
    decision_form = review_form = None
    if row.status == EmergencyAccess.Status.WAITING and access.allowed(request.user, "emergency_access.approve", row):
        decision_form = forms.EmergencyAccessDecisionForm(request.POST if which == "decision" else None)
        if which == "decision" and submit(
            request,
            decision_form,
            lambda d: (
                break_glass.emergency_access_approve(emergency_access=row, user=request.user, note=d["note"])
                if d["decision"] == "approve"
                else break_glass.emergency_access_refuse(emergency_access=row, user=request.user, note=d["note"])
            ),
            "Your decision is recorded. The social worker has been told.",
        ):
            return redirect("emergency-access-detail", pk=pk)
    elif row.status == EmergencyAccess.Status.GRANTED and not row.reviewed_at:
        review_form = forms.EmergencyAccessReviewForm(request.POST if which == "review" else None)
        if which == "review" and submit(
            request,
            review_form,
            lambda d: break_glass.emergency_access_review(
                emergency_access=row, user=request.user, justified=d["outcome"] == "justified", note=d["note"]
            ),
            "Your review is recorded.",
        ):
            return redirect("emergency-access-queue")
    if which and not (decision_form or review_form):
        # Decided or reviewed by someone else while this page was open.
        messages.error(request, "This has already been decided or reviewed: what is recorded is shown below.")
    pages = {tab.url_name: tab.text for tab in CASE_TABS}
    activity = [
        {"at": event.at, "page": pages.get((event.detail or {}).get("page"), "Case page")}
        for event in emergency_access_activity(emergency_access=row)
    ]
    return render(
        request,
        "cases/emergency_access_detail.html",
        {
            "row": row,
            "overdue": row.status == EmergencyAccess.Status.GRANTED and row.review_overdue(),
            "activity": activity,
            "decision_form": decision_form,
            "review_form": review_form,
            "errors": error_summary(*(f for f in (decision_form, review_form) if f)),
        },
    )
