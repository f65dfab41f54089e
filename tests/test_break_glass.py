"""Break the glass: a social worker's emergency access to a case in their own borough that they
cannot normally open. It needs a reason, lasts 24 hours, is audited and alerts the supervisors;
it is bounded the way health records bound it: own borough only, only while the borough's
information sharing agreement is in force, never partner or children's details, a limit per
person per 30 days beyond which a supervisor approves first, and every grant reviewed by a
supervisor within 2 working days. The answer never says whether a case number exists."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accommodation import services as accommodation_services
from assessments.services import assessment_complete
from cases import break_glass, services
from cases.models import Case, EmergencyAccess
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from tests.assessment_factories import dash
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
REASON = "Police called about the family tonight; practitioner unreachable"
SIGN_IN = {"backend": "eip.people.backends.AccountBackend"}


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def freeze(monkeypatch, moment):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def team(camden, sutton):
    return {
        "referrer": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Rita Referrer"),
        "colleague": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sid Stranger"),
        "sutton_worker": UserFactory(role=Role.SOCIAL_WORKER, borough=sutton),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
        "supervisor": UserFactory(role=Role.SUPERVISOR, full_name="Jo Reviewer"),
        "supervisor2": UserFactory(role=Role.SUPERVISOR, full_name="Lee Second"),
    }


def camden_case(team):
    return make_case(team["referrer"], team["practitioner"])


def ask(client, user, case_number, reason=REASON):
    client.force_login(user, **SIGN_IN)
    return client.post(reverse("case-break-glass", args=[case_number]), {"reason": reason})


def test_emergency_access_needs_a_reason_alerts_supervisors_and_expires(client, team):
    case = camden_case(team)
    stranger = team["colleague"]
    client.force_login(stranger, **SIGN_IN)
    not_found = client.get(reverse("case-detail", args=[case.pk]))
    assert not_found.status_code == 404 and b"ask for emergency access" in not_found.content
    assert b"Daniel" not in not_found.content
    short = client.post(reverse("case-break-glass", args=[case.pk]), {"reason": "need it"})
    assert b"Explain why you need this case now" in short.content
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    response = client.post(reverse("case-break-glass", args=[case.pk]), {"reason": REASON})
    assert response.status_code == 302
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
    event = AuditEvent.objects.get(action="permission_changed", actor=stranger)
    assert event.detail["break_glass"] and "Police called" in event.detail["reason"]
    alerts = Notification.objects.filter(kind="case.break_glass")
    assert {a.recipient for a in alerts} == {team["supervisor"], team["supervisor2"]}
    assert all("Sid Stranger" in a.message for a in alerts)
    EmergencyAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404


def test_the_form_does_not_reveal_whether_a_case_exists(client, camden):
    client.force_login(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), **SIGN_IN)
    existing = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER))
    assert client.get(reverse("case-break-glass", args=[existing.pk])).status_code == 200
    assert client.get(reverse("case-break-glass", args=[99999])).status_code == 200


@pytest.mark.probe(3)
def test_a_case_in_another_borough_is_never_opened(client, team):
    case = camden_case(team)
    response = ask(client, team["sutton_worker"], case.pk)
    assert response.status_code == 200
    assert f"Emergency access is not available for case {case.pk}" in response.content.decode()
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    assert not EmergencyAccess.objects.exists()
    assert not Notification.objects.filter(kind__startswith="case.break_glass").exists()
    # The attempt is on the audit trail, without saying whether the case exists.
    attempt = AuditEvent.objects.get(actor=team["sutton_worker"], action="created")
    assert attempt.detail["break_glass"] == "not available" and attempt.record_id == ""


@pytest.mark.probe(3)
def test_only_while_the_boroughs_agreement_is_in_force(client, team, camden):
    case = camden_case(team)
    camden.isa_in_place = False
    camden.save()
    response = ask(client, team["colleague"], case.pk)
    assert b"Emergency access is not available" in response.content
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    # An agreement signed for a date still to come is not in force yet.
    camden.isa_in_place, camden.isa_signed_on = True, timezone.localdate() + timedelta(days=1)
    camden.save()
    assert b"Emergency access is not available" in ask(client, team["colleague"], case.pk).content
    # In force: granted; when the agreement ends, the grant stops opening the case at once.
    camden.isa_signed_on = date(2020, 8, 1)
    camden.save()
    assert ask(client, team["colleague"], case.pk).status_code == 302
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
    camden.isa_in_place = False
    camden.save()
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("case-list")).content.count(case.reference.encode()) == 0


@pytest.mark.probe(3)
def test_a_borough_spoc_cannot_break_the_glass(client, team, camden):
    # They see every case in their borough already, and emergency access never opens partner details.
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=camden)
    sutton_case = make_case(team["sutton_worker"], team["practitioner"])
    assert ask(client, spoc, sutton_case.pk).status_code == 403
    assert b"emergency access" not in client.get(reverse("case-detail", args=[sutton_case.pk])).content
    assert not EmergencyAccess.objects.exists()


def _case_with_partner_details(team):
    """An intervention case with something of the partner's on every page that could hold it."""
    practitioner = team["practitioner"]
    case = make_case(
        team["referrer"],
        practitioner,
        partner={"first_name": "Zephyrine", "phone": "07700 900987", "safe_contact": "Text SAFECANARY first"},
    )
    services.risk_plan_revise(
        case=case, user=practitioner, risks="Arguments", safety_planning="Refuge at PLANCANARY if needed"
    )
    for party in ("client", "partner"):
        services.consent_record(
            case=case,
            user=practitioner,
            party=party,
            given_on=date(2026, 1, 5),
            method="written",
            obtained_by="SW",
            sharing=f"SHARECANARY {party}",
        )
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 5))
    case.refresh_from_db()
    services.disclosure_record(
        case=case, user=practitioner, disclosed_on=date(2026, 1, 6), description="DISCLOSURECANARY", escalate=False
    )
    services.partner_contact_record(
        case=case, user=practitioner, contacted_on=date(2026, 1, 6), by="IDVA", notes="CONTACTCANARY"
    )
    dash_assessment = assessment_complete(
        case=case, user=practitioner, instrument="dash", stage="intake", assessed_on=date(2026, 1, 6), answers=dash(3)
    )
    accommodation_services.accommodation_request(
        case=case,
        user=practitioner,
        needed_from=date(2026, 2, 1),
        reason="Reason",
        risks_and_mitigation="Risks",
        scenario_planning="Plan",
        housing_options_explained=True,
        preferred_area="North",
        exclusion_areas="EXCLUSIONCANARY",
    )
    return case, dash_assessment


CANARIES = [
    b"Zephyrine",
    b"07700 900987",
    b"SAFECANARY",
    b"PLANCANARY",
    b"SHARECANARY partner",
    b"DISCLOSURECANARY",
    b"CONTACTCANARY",
    b"EXCLUSIONCANARY",
]


@pytest.mark.probe(3)
def test_emergency_access_never_opens_partner_or_childrens_details(client, team):
    case, dash_assessment = _case_with_partner_details(team)
    assert ask(client, team["colleague"], case.pk).status_code == 302
    opened = {
        name: client.get(reverse(name, args=[case.pk]))
        for name in (
            "case-detail",
            "case-plan",
            "case-consent",
            "case-sessions",
            "case-meetings",
            "case-risk",
            "case-onward",
            "case-close",
        )
    }
    closed = {
        "case-partner": client.get(reverse("case-partner", args=[case.pk])),
        "case-assessments": client.get(reverse("case-assessments", args=[case.pk])),
        "assessment-detail": client.get(reverse("assessment-detail", args=[case.pk, dash_assessment.pk])),
        "assessment-new": client.get(reverse("assessment-new", args=[case.pk, "dash", "mid"])),
        "case-accommodation": client.get(reverse("case-accommodation", args=[case.pk])),
        "consent-withdraw": client.get(
            reverse("consent-withdraw", args=[case.pk, case.consents.get(party="partner").pk])
        ),
        "referral-detail": client.get(reverse("referral-detail", args=[case.referral_id])),
    }
    assert {name: r.status_code for name, r in opened.items()} == dict.fromkeys(opened, 200)
    assert {name: r.status_code for name, r in closed.items()} == dict.fromkeys(closed, 404)
    for name, response in opened.items():
        for canary in CANARIES:
            assert canary not in response.content, (name, canary)
    assert b"Partner support" not in opened["case-detail"].content  # not even offered
    # The referring social worker still sees them all: only emergency access is bounded.
    client.force_login(team["referrer"], **SIGN_IN)
    assert b"Zephyrine" in client.get(reverse("case-partner", args=[case.pk])).content
    assert b"PLANCANARY" in client.get(reverse("case-plan", args=[case.pk])).content


def _grant(client, team, user=None):
    user = user or team["colleague"]
    case = camden_case(team)
    response = ask(client, user, case.pk)
    return case, response


@pytest.mark.probe(3)
def test_beyond_the_limit_a_supervisor_approves_first(client, team, monkeypatch, settings):
    settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS = 3
    start = at(2026, 12, 1, 10)
    freeze(monkeypatch, start)
    for _ in range(3):
        assert _grant(client, team)[1].status_code == 302
    case, response = _grant(client, team)
    assert response.status_code == 302 and response.url == reverse("home")
    told = client.get(response.url).content.decode()
    assert "a supervisor must approve this request first" in told
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    waiting = EmergencyAccess.objects.get(case=case)
    assert waiting.status == "waiting" and waiting.expires_at is None
    asked = Notification.objects.filter(kind="case.break_glass_approval", subject_id=waiting.pk)
    assert {n.recipient for n in asked} == {team["supervisor"], team["supervisor2"]}
    # Asking again does not queue a second request.
    ask(client, team["colleague"], case.pk)
    assert EmergencyAccess.objects.filter(case=case).count() == 1

    # Approved three hours later: the 24 hours run from the approval.
    approved_at = start + timedelta(hours=3)
    freeze(monkeypatch, approved_at)
    client.force_login(team["supervisor"], **SIGN_IN)
    page = client.get(reverse("emergency-access-detail", args=[waiting.pk]))
    assert b"Waiting for approval" in page.content and REASON.encode() in page.content
    response = client.post(
        reverse("emergency-access-detail", args=[waiting.pk]), {"form": "decision", "decision": "approve", "note": ""}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "granted" and waiting.decided_by == team["supervisor"]
    assert waiting.granted_at == approved_at and waiting.expires_at == approved_at + timedelta(hours=24)
    assert Notification.objects.filter(kind="case.break_glass_decided", recipient=team["colleague"]).exists()
    assert AuditEvent.objects.filter(
        action="permission_changed", actor=team["supervisor"], detail__break_glass="granted"
    ).exists()
    client.force_login(team["colleague"], **SIGN_IN)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
    freeze(monkeypatch, approved_at + timedelta(hours=24, seconds=1))
    client.force_login(team["colleague"], **SIGN_IN)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404

    # Thirty days after the first grants, the person is back under the limit.
    freeze(monkeypatch, start + timedelta(days=30, hours=1))
    assert EmergencyAccess.objects.get(pk=_grant(client, team)[0].emergency_accesses.get().pk).status == "granted"


def test_the_limit_is_three_uses_in_30_days_unless_configured():
    from django.conf import settings

    assert settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS == 3


def test_a_refusal_needs_a_reason_and_opens_nothing(client, team, settings):
    settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS = 0  # every request waits for approval
    case, response = _grant(client, team)
    assert "Every request for emergency access needs a supervisor" in client.get(response.url).content.decode()
    waiting = EmergencyAccess.objects.get(case=case)
    client.force_login(team["supervisor"], **SIGN_IN)
    url = reverse("emergency-access-detail", args=[waiting.pk])
    no_reason = client.post(url, {"form": "decision", "decision": "refuse", "note": " "})
    assert b"Say why you are refusing the request" in no_reason.content
    assert client.post(url, {"form": "decision", "decision": "refuse", "note": "Not an emergency"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == "refused" and waiting.granted_at is None
    client.force_login(team["colleague"], **SIGN_IN)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    assert Notification.objects.get(kind="case.break_glass_decided", recipient=team["colleague"])


def test_approval_is_refused_once_the_agreement_has_ended(client, team, camden, settings):
    settings.EIP_BREAK_GLASS_LIMIT_PER_30_DAYS = 0
    case, _ = _grant(client, team)
    waiting = EmergencyAccess.objects.get(case=case)
    camden.isa_in_place = False
    camden.save()
    with pytest.raises(services.CaseError, match="no longer possible"):
        break_glass.emergency_access_approve(emergency_access=waiting, user=team["supervisor"])


@pytest.mark.probe(3)
def test_every_grant_is_reviewed_and_an_overdue_review_is_reminded_once(client, team, monkeypatch):
    # Granted on Christmas Eve 2026: two working days later is Wednesday 30 December (Christmas
    # Day, the weekend and Boxing Day observed on Monday 28th are not working days).
    freeze(monkeypatch, at(2026, 12, 24, 10))
    case, _ = _grant(client, team)
    client.force_login(team["supervisor"], **SIGN_IN)
    home = client.get(reverse("home")).content.decode()
    assert 'href="/emergency-access/"' in home and "1 to review" in home
    grant = EmergencyAccess.objects.get(case=case)
    assert grant.review_due_on == date(2026, 12, 30)
    queue = client.get(reverse("emergency-access-queue")).content.decode()
    assert case.reference in queue and "Wed 30 Dec 2026" in queue and 'data-testid="overdue"' not in queue

    def overdue_mail():
        return [m for m in mail.outbox if "is overdue" in m.body]

    freeze(monkeypatch, at(2026, 12, 30, 23, 59))
    reminders_send_due()
    assert overdue_mail() == []
    client.force_login(team["supervisor"], **SIGN_IN)
    assert 'data-testid="overdue"' not in client.get(reverse("emergency-access-queue")).content.decode()

    # Overdue from Thursday 31 December: visible, and reminded once, at 9 on that working day.
    freeze(monkeypatch, at(2026, 12, 31, 8, 59))
    reminders_send_due()
    assert overdue_mail() == []
    client.force_login(team["supervisor"], **SIGN_IN)
    assert 'data-testid="overdue"' in client.get(reverse("emergency-access-queue")).content.decode()
    assert "Overdue" in client.get(reverse("home")).content.decode()
    freeze(monkeypatch, at(2026, 12, 31, 9))
    reminders_send_due()
    reminders_send_due()
    freeze(monkeypatch, at(2027, 1, 8, 9))
    reminders_send_due()
    assert sorted(m.to[0] for m in overdue_mail()) == sorted([team["supervisor"].email, team["supervisor2"].email])
    sent = Notification.objects.filter(kind="case.break_glass_review_overdue", sent_at__isnull=False)
    assert sent.count() == 2 and all(n.sent_at == at(2026, 12, 31, 9) for n in sent)

    # Reviewed: off the queue, with the outcome and note kept and audited.
    client.force_login(team["supervisor"], **SIGN_IN)
    url = reverse("emergency-access-detail", args=[grant.pk])
    assert b"Write a note" in client.post(url, {"form": "review", "outcome": "justified", "note": ""}).content
    client.post(url, {"form": "review", "outcome": "justified", "note": "Police log confirms the call"})
    grant.refresh_from_db()
    assert grant.outcome == "justified" and grant.reviewed_by == team["supervisor"]
    queue = client.get(reverse("emergency-access-queue")).content.decode()
    to_review, decided = queue.split("To review")[1].split("Recently decided")
    assert case.reference not in to_review and case.reference in decided and "Justified" in decided
    assert AuditEvent.objects.filter(actor=team["supervisor"], detail__break_glass="reviewed").exists()
    # A second supervisor's late review does not overwrite the first.
    client.force_login(team["supervisor2"], **SIGN_IN)
    late = client.post(url, {"form": "review", "outcome": "not_justified", "note": "No"}, follow=True)
    assert b"already been decided or reviewed" in late.content
    grant.refresh_from_db()
    assert grant.outcome == "justified"


def test_a_review_in_time_sends_no_reminder_and_not_justified_ends_the_access(client, team, monkeypatch):
    freeze(monkeypatch, at(2026, 12, 1, 10))
    case, _ = _grant(client, team)
    grant = EmergencyAccess.objects.get(case=case)
    client.force_login(team["supervisor"], **SIGN_IN)
    client.post(
        reverse("emergency-access-detail", args=[grant.pk]),
        {"form": "review", "outcome": "not_justified", "note": "Could have waited for the practitioner"},
    )
    grant.refresh_from_db()
    assert grant.outcome == "not_justified" and grant.expires_at == at(2026, 12, 1, 10)
    assert Notification.objects.get(kind="case.break_glass_not_justified").recipient == team["colleague"]
    client.force_login(team["colleague"], **SIGN_IN)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    freeze(monkeypatch, at(2026, 12, 10, 9))
    reminders_send_due()
    assert not [m for m in mail.outbox if "is overdue" in m.body]


def test_the_review_shows_what_was_opened(client, team):
    case, _ = _grant(client, team)
    client.get(reverse("case-detail", args=[case.pk]))
    client.get(reverse("case-plan", args=[case.pk]))
    client.force_login(team["supervisor"], **SIGN_IN)
    page = client.get(reverse("emergency-access-detail", args=[case.emergency_accesses.get().pk]))
    activity = page.content.decode().split('data-testid="activity"')[1]
    assert "Overview" in activity and "Consultation and plan" in activity


def _normalised(response, number) -> str:
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'data-csrf-token="[^"]+"', "", text)  # the idle sign-out warning's keep-alive
    # The number as a word: a small case number must not also rewrite the "2" of an <h2>.
    return re.sub(rf"\b{number}\b", "N", text)


@pytest.mark.probe(3)
def test_the_answer_does_not_reveal_whether_a_case_exists(client, team, camden):
    """A number with no case, a case in another borough and a case whose borough has no agreement
    in force get the same status, the same page and the same database work."""
    worker = team["colleague"]
    sutton_case = make_case(team["sutton_worker"], team["practitioner"])
    own_case = camden_case(team)
    missing = Case.objects.order_by("-pk").first().pk + 1000

    def answer(number):
        ask(client, worker, number)  # warm: the session and sign-in writes happen once
        with CaptureQueriesContext(connection) as queries:
            response = ask(client, worker, number)
        return response, len(queries)

    answers = {"no such case": answer(missing), "another borough": answer(sutton_case.pk)}
    camden.isa_in_place = False
    camden.save()
    answers["no agreement in force"] = answer(own_case.pk)
    numbers = {"no such case": missing, "another borough": sutton_case.pk, "no agreement in force": own_case.pk}
    statuses = {name: response.status_code for name, (response, _) in answers.items()}
    assert statuses == dict.fromkeys(answers, 200)
    pages = {_normalised(response, numbers[name]) for name, (response, _) in answers.items()}
    assert len(pages) == 1
    assert "Emergency access is not available for case N" in pages.pop()
    assert len({count for _, count in answers.values()}) == 1, {name: n for name, (_, n) in answers.items()}
    assert not EmergencyAccess.objects.exists()


def test_asking_again_while_access_lasts_does_not_count_twice(client, team):
    case, _ = _grant(client, team)
    ask(client, team["colleague"], case.pk)
    assert EmergencyAccess.objects.filter(case=case).count() == 1
    # Someone who can open the case already is told so, and nothing is granted.
    response = ask(client, team["referrer"], case.pk)
    assert b"You can already open this case" in response.content
    assert EmergencyAccess.objects.count() == 1
