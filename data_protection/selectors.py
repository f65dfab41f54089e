"""Subject access: the client's own data on a case, exported from an allow-list with every
third party withheld, frozen for a supervisor's review, and released as a PDF.

The requests are stored on the case (cases.SubjectAccessRequest: moving the model would need a
data migration for no gain); this app, above cases, assessments and accommodation, reads them all."""

import hashlib
import html
import re
from collections import Counter
from datetime import date

from django.utils import timezone

from accommodation.documents import StaticOnlyFetcher
from accommodation.models import Placement
from assessments.instruments import Instrument, ViabilityLevel
from assessments.models import Assessment, AssessmentDraft
from assessments.services import items_for
from case_documents.selectors import client_documents_for_subject_access, partner_documents_count
from case_notes.selectors import client_notes_for_subject_access, partner_notes_count
from cases.models import Case, CaseDraft
from referrals.models import ReferredChild

WITHHELD = "[withheld: third-party information]"

# What a subject access export never contains. The list is the same for every case, so it
# tells the client nothing about what is held on their particular file.
WITHHELD_CATEGORIES = [
    "The partner or victim-survivor's details: name, date of birth, gender, phone, address, postcode, "
    "whether they live with you and how to contact them safely.",
    "The children's details: their ages and any children's services plan.",
    "The referrer's account of the case: the case dynamic, risk markers, police involvement and "
    "orders, the DASH score and notes made while handling the referral.",
    "The Risk Management and Intervention Plan: risks, protective factors, actions, contingency and "
    "safety planning for the partner and children, and drafts of it.",
    "The partner's consent, contact with the partner and who supports the partner.",
    "Case notes of contact with the partner, or holding information about the partner or the children, "
    "and any addendum that does.",
    "Documents marked as holding information about the partner or the children, and documents withdrawn "
    "from the case file.",
    "Disclosures, risk escalations (IDVA and MARAC referrals) and DASH risk checklists, which are "
    "completed with or about the partner.",
    "Severity of Abuse Grid ratings, which rest on what the partner and other agencies report.",
    "Case consultation notes and attendees, and the content of professionals meetings (their dates are given).",
    "Onward referrals for the partner or the children (IDVA, MARAC, victim support, CAMHS).",
    "Accommodation requests: the reasons, risks, scenario planning and the areas you must avoid.",
    "Notes written with assessments, the case timeline and the audit log.",
    "Any text that names or locates the partner, and any phone number, email address or postcode that is "
    f"not yours, replaced by “{WITHHELD}”.",
]

# Onward referrals made for the client. The others (IDVA, MARAC, victim support, CAMHS) are
# made for the partner or the children.
CLIENT_ONWARD_SERVICES = (
    "dvpp",
    "substance_misuse",
    "mental_health",
    "housing_options",
    "finance_support",
    "adult_social_care",
    "other",
)


class _Redactor:
    """Withhold anything that names or locates a third party in text that goes into the export:
    the partner's name (whole words, the surname alone only when the client does not share it),
    phone number in any format, street whatever the house number, case or abbreviation, postcode
    with or without its space, and safe-contact text; and every other phone number, e-mail
    address and postcode that is not the client's own. Matching is eip.outbound's, the same the
    guard uses on every output. Each withheld span carries its reason for the reviewing
    supervisor (data-reason, removed from the released PDF)."""

    def __init__(self, case: Case, *, own_addresses=()):
        from eip import outbound

        identifiers = list(outbound.identifiers_of([case.referral_id]))
        # The client's temporary accommodation is the client's own address.
        identifiers += [outbound.Identifier(case.referral_id, "client", "address", a) for a in own_addresses]
        self._redactor = outbound.redactor(identifiers)

    def __call__(self, value) -> str:
        from django.utils.html import escape, format_html
        from django.utils.safestring import SafeString

        text = "" if value is None else str(value)
        result, position = SafeString(""), 0
        for hit in self._redactor.spans(text):
            result += escape(text[position : hit.start])
            result += format_html('<span class="sar-withheld" data-reason="{}">{}</span>', hit.label, WITHHELD)
            position = hit.end
        return result + escape(text[position:])


def _day(value) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def _moment(value) -> str:
    return f"{timezone.localtime(value):%-d %B %Y}" if value else ""


def _moment_and_time(value) -> str:
    return f"{timezone.localtime(value):%-d %B %Y, %H:%M}" if value else ""


def subject_access_export(*, case: Case) -> dict:
    """The client's own data on a case, for a subject access request. Built field by field
    from an allow-list: anything not named here (every partner and children's field, the
    referrer's narrative, safety planning) never reaches the export."""
    referral = case.referral
    person = case.person
    placed = Placement.objects.filter(request__case=case, status__in=["approved", "ended"]).order_by("start_on")
    redact = _Redactor(case, own_addresses=[p.address for p in placed])

    def rows(*pairs):
        return [(label, redact(value)) for label, value in pairs if value not in (None, "")]

    client = rows(
        ("Name", f"{person.first_name} {person.last_name}"),
        ("Date of birth", _day(person.date_of_birth or referral.client_date_of_birth)),
        ("Gender", referral.get_client_gender_display()),
        ("Ethnicity", referral.get_client_ethnicity_display()),
        ("First language", referral.client_first_language),
        ("Interpreter needed", referral.get_client_interpreter_needed_display()),
        ("Additional needs", referral.client_additional_needs),
        ("Phone number", referral.client_phone),
        ("Email address", referral.client_email),
        ("Address", referral.client_address),
        ("Postcode", referral.client_postcode),
        ("Safe times to contact you", referral.client_safe_contact_times),
    )
    referral_rows = rows(
        ("Referral reference", referral.reference),
        ("Referred by", f"{case.borough.name} children's services"),
        ("Received", _moment(referral.received_at)),
        ("Your willingness to engage, as the referrer recorded it", referral.get_client_willingness_display()),
    )
    case_rows = rows(
        ("Stage", case.get_stage_display()),
        ("Opened", _moment(case.opened_at)),
        ("Intervention started", _day(case.intervention_started_on)),
        ("Exit stage started", _day(case.exit_started_on)),
        ("Your practitioner", case.practitioner.full_name),
        ("Accessibility adaptations", case.accessibility_adaptations),
        ("Interpreter", case.interpreter_language if case.interpreter_used else ""),
    )
    consultations = [
        rows(
            ("Date", _moment(c.scheduled_at)),
            ("How", c.get_modality_display()),
            ("Outcome", c.get_outcome_display() if c.held else "Not yet held"),
            ("Reason", c.get_not_suitable_reason_display() if c.outcome == "not_suitable" else ""),
        )
        for c in case.consultations.order_by("scheduled_at")
    ]
    consents = [
        rows(
            ("Given on", _day(c.given_on)),
            ("How", c.get_method_display()),
            ("Obtained by", c.obtained_by),
            ("What may be shared, with whom", c.sharing),
            ("Withdrawn on", _day(c.withdrawn_on)),
            ("About the withdrawal", c.withdrawal_notes),
        )
        for c in case.consents.filter(party="client").order_by("given_on")
    ]
    sessions = [
        {
            "date": _day(s.held_on),
            "modality": s.get_modality_display(),
            "minutes": s.duration_minutes or "",
            "attendance": s.get_attendance_display(),
            "topics": redact(", ".join(s.topic_labels)),
            "notes": redact(s.notes),
        }
        for s in case.sessions.order_by("held_on", "pk")
    ]
    meetings = [_day(d) for d in case.meetings.order_by("held_on").values_list("held_on", flat=True)]
    notes = [
        {
            "when": _moment_and_time(n.contact_at),
            "contact": f"{n.get_method_display()} with {n.get_contacted_display().lower()}",
            "text": redact(n.text),
            "addenda": [(_moment_and_time(a.written_at), redact(a.text)) for a in n.visible_addenda],
        }
        for n in client_notes_for_subject_access(case=case)
    ]
    documents = [
        {
            "kind": d.get_category_display(),
            "description": redact(d.title),
            "added": _day(timezone.localtime(d.uploaded_at)),
        }
        for d in client_documents_for_subject_access(case=case)
    ]
    assessments = []
    for a in (
        Assessment.objects.filter(case=case, is_current=True)
        .exclude(instrument=Instrument.DASH)
        .prefetch_related("answers")
        .order_by("assessed_on", "instrument")
    ):
        scores = []
        summary = ""
        if a.instrument == Instrument.NEEDS:
            summary = f"Your total {a.user_total if a.user_total is not None else '—'}; practitioner's total " + (
                f"{a.practitioner_total}" if a.practitioner_total is not None else "—"
            )
            scores = [
                (
                    redact(x.label),
                    f"you {x.user_score if x.user_score is not None else '—'}, practitioner "
                    f"{x.practitioner_score if x.practitioner_score is not None else '—'} (0 to 10)",
                )
                for x in a.answers.all()
            ]
        elif a.instrument == Instrument.VIABILITY:
            scores = [(redact(x.label), x.get_rating_label()) for x in a.answers.all()]
        else:
            summary = "Ratings withheld: they rest on third-party information."
        assessments.append(
            {
                "instrument": a.get_instrument_display(),
                "stage": a.get_stage_display(),
                "date": _day(a.assessed_on),
                "summary": summary,
                "scores": scores,
            }
        )
    # A needs or viability assessment being completed is held about the client too: given as
    # it stands, marked a draft (SOAG and DASH drafts are withheld as their completed forms are).
    for d in AssessmentDraft.objects.filter(case=case, instrument__in=[Instrument.NEEDS, Instrument.VIABILITY]):
        answers = d.content.get("answers", {})
        scores = []
        for item in items_for(d.instrument):
            typed = answers.get(item.code) or {}
            if d.instrument == Instrument.NEEDS and ("user_score" in typed or "practitioner_score" in typed):
                scores.append(
                    (
                        redact(item.label),
                        f"you {typed.get('user_score', '—')}, practitioner {typed.get('practitioner_score', '—')} "
                        "(0 to 10)",
                    )
                )
            elif typed.get("rating") in ViabilityLevel.values:
                scores.append((redact(item.label), ViabilityLevel(typed["rating"]).label))
        assessed_on = d.content.get("assessed_on")
        assessments.append(
            {
                "instrument": d.get_instrument_display(),
                "stage": f"{d.get_stage_display()} (draft, not final)",
                "date": _day(date.fromisoformat(assessed_on)) if assessed_on else "",
                "summary": f"Being completed: last saved {_moment(d.saved_at)}.",
                "scores": scores,
            }
        )
    placements = [
        rows(
            ("Type", p.get_kind_display()),
            ("Provider", p.provider),
            ("Address", p.address),
            ("From", _day(p.start_on)),
            ("Until", _day(p.planned_end_on)),
            ("Ended", _day(p.ended_on)),
            ("Moved on to", p.get_move_on_display()),
        )
        for p in placed
    ]
    onward = [
        rows(
            ("Service", o.get_service_display() + (f": {o.service_other}" if o.service_other else "")),
            ("Made on", _day(o.made_on)),
            ("Status", o.get_status_display()),
            ("Started", _day(o.started_on)),
            ("Outcome", o.outcome),
        )
        for o in case.onward_referrals.filter(service__in=CLIENT_ONWARD_SERVICES).order_by("made_on")
    ]
    closure = (
        rows(
            ("Closed", _moment(case.closed_at)),
            ("Reason", case.get_closure_reason_display()),
            ("Exit summary", case.exit_summary),
            ("Onward plan", case.onward_plan),
            ("Why the exit assessments were not done", case.no_exit_assessment_reason),
        )
        if case.closed_at
        else []
    )
    # A closure being written is held about the client too: given as it stands, marked a draft.
    closure_draft = case.drafts.filter(form=CaseDraft.Form.CLOSURE).first() if case.is_open else None
    if closure_draft is not None:
        typed = closure_draft.content
        closure = rows(
            ("Draft", f"Not final: being written, last saved {_moment(closure_draft.saved_at)}"),
            ("Reason", Case.ClosureReason(typed["reason"]).label if typed.get("reason") else ""),
            ("Exit summary", typed.get("exit_summary")),
            ("Onward plan", typed.get("onward_plan")),
            ("Why the exit assessments were not done", typed.get("no_exit_assessment_reason")),
        )
    return {
        "reference": case.reference,
        "withheld_categories": WITHHELD_CATEGORIES,
        "client": client,
        "referral": referral_rows,
        "case": case_rows,
        "consultations": consultations,
        "consents": consents,
        "sessions": sessions,
        "meetings": meetings,
        "notes": notes,
        "documents": documents,
        "assessments": assessments,
        "placements": placements,
        "onward": onward,
        "closure": closure,
    }


def subject_access_export_html(*, case: Case, received_on: date, generated_at) -> str:
    """The export as an HTML fragment: frozen on the request when it is prepared, shown to the
    reviewing supervisor as it is, and put into the PDF unchanged."""
    from django.template.loader import render_to_string

    return render_to_string(
        "cases/sar_export.html",
        {
            **subject_access_export(case=case),
            "received_on": received_on,
            "generated_at": timezone.localtime(generated_at),
        },
    )


def content_digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


_WITHHELD_SPAN = re.compile(r'<span class="sar-withheld" data-reason="([^"<>]*)">' + re.escape(WITHHELD) + "</span>")


def subject_access_review_html(*, sar) -> str:
    """The frozen export as the reviewing supervisor sees it: each withheld span highlighted
    with its reason (never the withheld text). The released export shows only the marker."""
    # The reasons were escaped when the export was made (format_html) and are fixed phrases.
    return _WITHHELD_SPAN.sub(
        lambda m: f'<mark class="app-withheld" data-testid="withheld-span">[withheld: {m.group(1)}]</mark>',
        sar.content_html,
    )


def subject_access_release_html(*, sar) -> str:
    """The frozen export without the reasons: what the client's PDF is made from."""
    return re.sub(r' data-reason="[^"]*"', "", sar.content_html)


def subject_access_pdf(*, sar) -> bytes:
    """The frozen export as a PDF, with the same safe fetcher as the accommodation agreement
    (WeasyPrint may read only the app's own static files)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("cases/sar_export_pdf.html", {"sar": sar, "content": subject_access_release_html(sar=sar)})
    return HTML(string=html, base_url="eip-static:///", url_fetcher=StaticOnlyFetcher()).write_pdf()


def subject_access_review_facts(*, sar) -> dict:
    """For the reviewing supervisor only (never in the export): what was left out of this case's
    export, so the review can check that nothing third-party slipped through."""
    case = sar.case
    withheld = [
        ("Children on the referral", ReferredChild.objects.filter(referral=case.referral_id).count()),
        ("Risk plan versions", case.risk_plans.count()),
        ("Partner consents", case.consents.filter(party="partner").count()),
        ("Partner contacts", case.partner_contacts.count()),
        ("Case notes and addenda about the partner or children", partner_notes_count(case=case)),
        ("Documents about the partner or children", partner_documents_count(case=case)),
        ("Disclosures", case.disclosures.count()),
        ("Risk escalations (IDVA, MARAC)", case.risk_actions.count()),
        ("DASH risk checklists", Assessment.objects.filter(case=case, instrument="dash", is_current=True).count()),
        (
            "Onward referrals for the partner or children",
            case.onward_referrals.exclude(service__in=CLIENT_ONWARD_SERVICES).count(),
        ),
        ("Accommodation requests (reasons and exclusion areas)", case.accommodation_requests.count()),
    ]
    return {
        "withheld_counts": [(label, n) for label, n in withheld if n],
        # Text replaced because it named or located someone other than the client, by reason.
        "redactions": len(_WITHHELD_SPAN.findall(sar.content_html)),
        "reasons": sorted(Counter(html.unescape(r) for r in _WITHHELD_SPAN.findall(sar.content_html)).items()),
        "other_cases": list(Case.objects.filter(person=case.person_id).exclude(pk=case.pk).select_related("referral")),
        "intact": content_digest(sar.content_html) == sar.content_digest,
    }
