"""The borough SPOC oversees the borough's cases but never sees partner matters: the partner
section, safety and contingency planning, disclosures, IDVA and MARAC, services for the partner
or children, the weekly meeting's risk updates, documents marked as about the partner, and the
timeline lines about any of them.
A canary is planted in each, and the SPOC walks every page the URL x role table opens to them."""

import html
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from case_documents.services import case_document_add
from case_notes.services import case_note_write
from cases import services
from cases.models import ProfessionalsMeeting
from eip.people.models import Role
from tests import test_access
from tests.test_access import EXPECTED, OK, _url_for

# The URL x role table's fixture "records", with canaries planted on its case below.
records = test_access.records

pytestmark = [pytest.mark.django_db, pytest.mark.probe(7)]

CANARIES = {
    "contingency": "Canary-contingency: if he returns, Chloe goes to her sister's in Luton",
    "safety_planning": "Canary-safety: code word bluebird",
    "idva_outcome": "Canary-idva: partner engaged with the IDVA",
    "marac_outcome": "Canary-marac: MARAC action plan for the partner",
    "camhs_outcome": "Canary-camhs: the child is on the waiting list",
    "victim_outcome": "Canary-victim: partner supported by Solace",
    "disclosure": "Canary-disclosure: partner disclosed a new assault",
    "risk_reason": "Canary-risk: partner's new address known to him",
    "risk_done": "Canary-done: MARAC held, partner rehoused",
    "partner_contact": "Canary-contact: partner called from the refuge",
    "supporter": "Canary-supporter: Refuge outreach worker",
    "meeting_risk": "Canary-meeting: partner reports threats by text",
    "partner_note": "Canary-note: the partner called from her sister's",
    "ticked_note": "Canary-ticked-note: the children's school raised a concern",
    "partner_document": "Canary-document: letter from the refuge about Chloe",
}
# Timeline lines about partner matters (their wording is fixed, so they are checked as written).
PARTNER_EVENTS = [
    "Contact with the partner recorded",
    "Partner support updated",
    "New disclosure recorded",
    "Risk escalated",
    "Onward referral to IDVA made",
    "Onward referral to MARAC made",
    "Onward referral to CAMHS made",
    "Onward referral to Victim support made",
    "Case note: phone call with the partner",
    "IDVA: accepted",
    "Refer the partner to the high-risk IDVA service",
    "Document added: other",  # the partner-marked document below (the table's own is correspondence)
    "IDVA and MARAC referrals",
]


@pytest.fixture
def planted(records, users):
    case, practitioner = records["case"], users[Role.PRACTITIONER]
    services.risk_plan_revise(
        case=case,
        user=practitioner,
        risks="Escalating arguments",
        safety_planning=CANARIES["safety_planning"],
        contingency=CANARIES["contingency"],
    )
    outcomes = {
        "idva": "idva_outcome",
        "marac": "marac_outcome",
        "camhs": "camhs_outcome",
        "victim_support": "victim_outcome",
    }
    for service, key in outcomes.items():
        services.onward_referral_record(
            case=case, user=practitioner, service=service, made_on=date(2026, 1, 7), outcome=CANARIES[key]
        )
    idva = case.onward_referrals.get(service="idva")
    services.onward_referral_update(onward=idva, user=practitioner, status="accepted", outcome=CANARIES["idva_outcome"])
    case.risk_actions.all().delete()
    services.risk_actions_raise(case=case, user=practitioner, reason=CANARIES["risk_reason"])
    services.disclosure_record(
        case=case, user=practitioner, disclosed_on=date(2026, 1, 8), description=CANARIES["disclosure"], escalate=True
    )
    marac = case.risk_actions.get(kind="marac", done_on__isnull=True)
    services.risk_action_complete(
        action=marac, user=practitioner, done_on=date(2026, 1, 9), notes=CANARIES["risk_done"]
    )
    services.partner_contact_record(
        case=case,
        user=practitioner,
        contacted_on=date(2026, 1, 9),
        by="Practitioner",
        notes=CANARIES["partner_contact"],
    )
    services.partner_supporter_set(case=case, user=practitioner, supporter=CANARIES["supporter"])
    ProfessionalsMeeting.objects.filter(case=case).delete()
    services.meeting_record(
        case=case,
        user=practitioner,
        held_on=date(2026, 1, 9),
        attendees="Practitioner, social worker",
        risk_updates=CANARIES["meeting_risk"],
    )
    for contacted, key, ticked in (("partner", "partner_note", False), ("professional", "ticked_note", True)):
        case_note_write(
            case=case,
            user=practitioner,
            contact_at=timezone.now(),
            contacted=contacted,
            method="phone",
            text=CANARIES[key],
            partner_information=ticked,
        )
    case_document_add(
        case=case,
        user=practitioner,
        category="other",
        title=CANARIES["partner_document"],
        file=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 Canary-document-file"),
        partner_information=True,
    )
    return records


def _pages(role, users, records, client):
    """Every GET page the URL x role table opens to `role`, as text."""
    client.force_login(users[role], backend="eip.people.backends.AccountBackend")
    pages = {}
    for name, (method, by_role, _) in sorted(EXPECTED.items()):
        if method != "GET" or by_role[role] != OK:
            continue
        # Each page in a savepoint rolled back after it, as in the URL x role table: making the
        # person a passkey for its pages must not turn their later two-factor set-up into a refusal.
        with transaction.atomic():
            response = client.get(_url_for(name, users[role], users[Role.PRACTITIONER], records))
            assert response.status_code == OK, name
            body = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
        pages[name] = html.unescape(body.decode(errors="replace"))
    client.logout()
    return pages


def test_the_borough_spoc_reads_no_partner_matter_on_any_page(planted, users, client):
    pages = _pages(Role.BOROUGH_SPOC, users, planted, client)
    assert {"case-detail", "case-plan", "case-risk", "case-onward", "case-meetings"} <= set(pages)
    found = [
        (name, text)
        for name, page in pages.items()
        for text in [*CANARIES.values(), "Chloe", "07700 900456", *PARTNER_EVENTS]
        if text in page
    ]
    assert found == []
    # The SPOC still oversees the case: the plan's risks, the client's own onward referral.
    assert "Escalating arguments" in pages["case-plan"]
    assert "Domestic violence perpetrator programme" in pages["case-onward"]


def test_those_who_may_see_partner_matters_still_do(planted, users, client):
    # The canaries are planted where they show: the practitioner reads every one of them.
    pages = _pages(Role.PRACTITIONER, users, planted, client)
    everything = "\n".join(pages.values())
    missing = [text for text in [*CANARIES.values(), *PARTNER_EVENTS[:-1]] if text not in everything]
    assert missing == []
    client.force_login(users[Role.PRACTITIONER], backend="eip.people.backends.AccountBackend")
    caseload = client.get(reverse("case-list")).content.decode()
    assert "IDVA and MARAC referrals" in caseload or "IDVA and MARAC referrals" in pages["case-detail"]


def test_timeline_lines_written_before_the_mark_are_marked_by_the_migration(users):
    import importlib

    from django.apps import apps

    from cases.models import CaseEvent
    from tests.referral_factories import make_case

    migration = importlib.import_module("cases.migrations.0008_timeline_partner_matters")
    case = make_case(users[Role.SOCIAL_WORKER], users[Role.PRACTITIONER])
    lines = {
        ("partner_contact", "Contact with the partner recorded"): True,
        ("risk_escalated", "Risk escalated: DASH score of 16 at referral. IDVA and MARAC referrals needed."): True,
        ("onward_referral", "Onward referral to IDVA made"): True,
        ("onward_referral", "CAMHS: accepted"): True,
        ("onward_referral", "Onward referral to Domestic violence perpetrator programme (DVPP) made"): False,
        ("onward_referral", "Substance misuse: engaged"): False,
        ("plan_revised", "Risk Management and Intervention Plan version 2 written"): False,
    }
    for kind, summary in lines:
        CaseEvent.objects.create(case=case, kind=kind, summary=summary)
    migration.mark_partner_events(apps, None)
    rows = case.events.values_list("kind", "summary", "partner_related")
    marked = {(kind, summary): partner for kind, summary, partner in rows}
    assert {line: marked[line] for line in lines} == lines


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_borough_spoc_is_told_what_is_not_shown(browser):
    from tests.factories import BoroughFactory, UserFactory
    from tests.referral_factories import make_case

    camden = BoroughFactory(name="Camden", code="camden")
    practitioner = UserFactory(role=Role.PRACTITIONER)
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), practitioner)
    services.risk_plan_revise(
        case=case, user=practitioner, risks="Escalating arguments", contingency=CANARIES["contingency"]
    )
    services.onward_referral_record(
        case=case, user=practitioner, service="idva", made_on=date(2026, 1, 7), outcome=CANARIES["idva_outcome"]
    )
    services.onward_referral_record(case=case, user=practitioner, service="dvpp", made_on=date(2026, 1, 7))
    services.disclosure_record(
        case=case, user=practitioner, disclosed_on=date(2026, 1, 8), description=CANARIES["disclosure"], escalate=True
    )
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden)
    browser.sign_in(spoc.email)
    for page, shot in (
        ("", "spoc-case-overview"),
        ("plan/", "spoc-plan"),
        ("risk/", "spoc-risk"),
        ("onward/", "spoc-onward"),
    ):
        browser.go(f"/cases/{case.pk}/{page}")
        text = browser.text()
        assert not [c for c in CANARIES.values() if c in text] and "Risk escalated" not in text
        browser.assert_accessible()
        browser.screenshot(shot)
    assert "not shown to you" in text and "Domestic violence perpetrator programme" in text
