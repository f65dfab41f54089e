"""People: one person's record, records that may be the same person, and merging them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_list_viewed, audit_record
from eip.errors import Incomplete, Refused

from . import matching, merging
from .models import Person, PersonMerge, Referral


def _person_for(request, pk, action="person.view"):
    return access.get_for_user(request.user, action, Person.objects.select_related("borough", "merged_into"), pk=pk)


def _person_page(request, person, errors=None, typed=None, status=200):
    user = request.user
    referrals = list(
        Referral.objects.filter(person=person).select_related("borough").order_by("-received_at", "-created_at")
    )
    candidates = []
    if person.merged_into_id is None:
        candidates = matching.person_candidates(
            identity=matching.Identity(person.first_name, person.last_name, person.date_of_birth),
            borough_id=person.borough_id,
            exclude_person_id=person.pk,
        )
    merges = list(
        PersonMerge.objects.filter(kept=person).select_related("merged", "proposed_by", "decided_by")
        | PersonMerge.objects.filter(merged=person).select_related("merged", "proposed_by", "decided_by")
    )
    audit_record(actor=user, action=AuditEvent.Action.VIEWED, record=person, detail={"page": "person-detail"})
    if candidates:
        audit_list_viewed(
            actor=user,
            model=Person,
            ids=[m.person.pk for m in candidates],
            label=f"Records that may be the same as {person.audit_label()}",
            page="person-detail",
        )
    return render(
        request,
        "referrals/person_detail.html",
        {
            "person": person,
            "referrals": referrals,
            "candidates": candidates,
            "merges": merges,
            "can_propose": access.allowed(user, "person.merge_propose") and person.merged_into_id is None,
            "errors": list((errors or {}).items()),
            "field_errors": errors or {},
            "typed": typed or {},
        },
        status=status,
    )


@access.policy("person.view")
def person_detail(request, pk):
    return _person_page(request, _person_for(request, pk))


@require_POST
@access.policy("person.merge_propose")
def person_merge_propose(request, pk):
    kept = _person_for(request, pk, "person.merge_propose")
    typed = {"other": request.POST.get("other", ""), "reason": request.POST.get("reason", "")}
    # Only a record offered on the page can be chosen.
    offered = {
        str(m.person.pk): m.person
        for m in matching.person_candidates(
            identity=matching.Identity(kept.first_name, kept.last_name, kept.date_of_birth),
            borough_id=kept.borough_id,
            exclude_person_id=kept.pk,
        )
    }
    if typed["other"] not in offered:
        return _person_page(request, kept, {"other": "Select the record that is the same person"}, typed, status=400)
    try:
        merge = merging.person_merge_propose(
            kept=kept, merged=offered[typed["other"]], user=request.user, reason=typed["reason"]
        )
    except Incomplete as incomplete:
        return _person_page(request, kept, incomplete.errors, typed, status=400)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("person-detail", pk=pk)
    messages.success(request, "The merge is proposed. A supervisor must confirm it before anything moves.")
    return redirect("person-merge-detail", pk=merge.pk)


@access.policy("person.view")
def person_merge_list(request):
    merges = list(
        PersonMerge.objects.select_related("kept", "merged", "proposed_by", "decided_by").order_by(
            "-status", "-proposed_at"
        )[:100]
    )
    audit_list_viewed(
        actor=request.user,
        model=PersonMerge,
        ids=[m.pk for m in merges],
        label="Merges of person records",
        page="person-merge-list",
    )
    return render(request, "referrals/person_merge_list.html", {"merges": merges})


def _merge_for(request, pk, action="person.view"):
    return access.get_for_user(
        request.user,
        action,
        PersonMerge.objects.select_related("kept__borough", "merged__borough", "proposed_by", "decided_by"),
        pk=pk,
    )


def _merge_page(request, merge, errors=None, typed=None, status=200):
    audit_record(actor=request.user, action=AuditEvent.Action.VIEWED, record=merge, detail={"page": "merge"})
    return render(
        request,
        "referrals/person_merge_detail.html",
        {
            "merge": merge,
            "explanation": merging.person_merge_explanation(merge=merge),
            "can_decide": access.allowed(request.user, "person.merge_confirm")
            and merge.status == PersonMerge.Status.PROPOSED
            and merge.proposed_by_id != request.user.pk,
            "errors": list((errors or {}).items()),
            "field_errors": errors or {},
            "typed": typed or {},
        },
        status=status,
    )


@access.policy("person.view")
def person_merge_detail(request, pk):
    return _merge_page(request, _merge_for(request, pk))


@require_POST
@access.policy("person.merge_confirm")
def person_merge_decide(request, pk):
    merge = _merge_for(request, pk, "person.merge_confirm")
    typed = {"decision": request.POST.get("decision", ""), "note": request.POST.get("note", "")}
    if typed["decision"] not in ("confirm", "reject"):
        return _merge_page(request, merge, {"decision": "Select whether to merge the records"}, typed, status=400)
    try:
        merge = merging.person_merge_decide(
            merge=merge, user=request.user, confirm=typed["decision"] == "confirm", note=typed["note"]
        )
    except Incomplete as incomplete:
        return _merge_page(request, merge, incomplete.errors, typed, status=400)
    except Refused as refused:
        messages.error(request, str(refused))
        return redirect("person-merge-detail", pk=pk)
    messages.success(
        request,
        "The records are merged." if merge.status == PersonMerge.Status.CONFIRMED else "The records are kept apart.",
    )
    return redirect(reverse("person-merge-detail", args=[pk]))
