"""No leaks sideways: canary partner details, planted in a referral and worked through the
pathway, appear in no log line, no Celery message, no email, no error page and no export."""

import logging
from datetime import date
from decimal import Decimal

import pytest
from celery.app.task import Task
from django.core import mail
from django.test import Client
from django.urls import reverse

from accommodation import services as accommodation_services
from accommodation.documents import agreement_pdf
from accommodation.models import Fund
from cases import services as case_services
from eip.people.models import Role
from evaluation import export
from evaluation.formats import report_csv, report_json
from evaluation.report import Period, monitoring_report
from referrals import services as referral_services
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db
CANARIES = ("CANARY-PARTNER-7f3a", "07700 CANARY", "1 Canary Secret Road", "ZZ9 9ZZ", "CANARY-CHILD-SCHOOL")


def leaked(text) -> list[str]:
    return [canary for canary in CANARIES if canary in str(text)]


@pytest.fixture
def published(monkeypatch):
    """Everything handed to Celery, as it would be serialised onto the broker."""
    messages = []
    original = Task.apply_async

    def record(self, args=None, kwargs=None, **options):
        messages.append((self.name, args, kwargs))
        return original(self, args=args, kwargs=kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", record)
    return messages


@pytest.mark.document_scan
def test_canary_partner_details_stay_where_they_belong(
    camden, caplog, published, django_capture_on_commit_callbacks, tmp_path
):
    caplog.set_level(logging.DEBUG)
    Fund.objects.all().delete()
    Fund.objects.create(name="Phase 1", total=Decimal("14000"), places=10)
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden)
    camden.housing_spoc = housing
    camden.save()
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    p = UserFactory(role=Role.PRACTITIONER)
    finance = UserFactory(role=Role.FINANCE)
    UserFactory(role=Role.SUPERVISOR)
    UserFactory(role=Role.PROGRAMME_MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(
            worker,
            partner={
                "first_name": CANARIES[0],
                "phone": CANARIES[1],
                "address": CANARIES[2],
                "postcode": CANARIES[3],
                "safe_contact": CANARIES[4],
            },
        )
        referral_services.referral_acknowledge(referral=referral, user=p, consultation_timeline="Soon")
        referral_services.referral_link_person(referral=referral, user=p, person=None)
        case = referral_services.referral_accept(referral=referral, user=p)
        case_services.consultation_schedule(
            case=case, user=p, scheduled_at=referral.received_at, modality="video", attendees="SW"
        )
        case_services.consultation_record_outcome(consultation=case.consultations.get(), user=p, outcome="suitable")
        case_services.risk_plan_revise(case=case, user=p, risks="R", safety_planning=f"Safe word; {CANARIES[2]}")
        for party in ("client", "partner"):
            case_services.consent_record(
                case=case,
                user=worker,
                party=party,
                given_on=date(2026, 1, 5),
                method="written",
                obtained_by="SW",
                sharing="Practitioner",
            )
        case_services.intervention_start(case=case, user=p, started_on=date(2026, 1, 6))
        case_services.partner_contact_record(
            case=case, user=p, contacted_on=date(2026, 1, 7), by="SW", notes=f"Called {CANARIES[1]}"
        )
        case_services.disclosure_record(
            case=case,
            user=p,
            disclosed_on=date(2026, 1, 8),
            description=f"{CANARIES[0]} disclosed a threat",
            escalate=True,
        )
        request = accommodation_services.accommodation_request(
            case=case,
            user=p,
            needed_from=date(2026, 2, 1),
            reason="R",
            risks_and_mitigation="R",
            scenario_planning="S",
            housing_options_explained=True,
            preferred_area="",
            exclusion_areas="Near the home",
        )
        placement = accommodation_services.placement_propose(
            request=request,
            user=housing,
            provider="Hotel",
            kind="hotel_bnb",
            address="10 Hotel Street",
            nightly_rate=Decimal("60"),
            fixed_amount=None,
            start_on=date(2026, 2, 1),
            planned_end_on=date(2026, 2, 20),
            distance_miles=Decimal("2"),
            out_of_borough=False,
        )
        placement = accommodation_services.placement_decide(placement=placement, user=finance, approve=True)

    assert len(mail.outbox) > 5 and len(published) > 5  # the flow really did email and queue
    assert [m for m in mail.outbox if leaked(m.subject + m.body)] == []
    assert [m for m in published if leaked(m)] == []
    assert [r for r in caplog.records if leaked(r.getMessage())] == []
    assert leaked(agreement_pdf(placement).decode("latin-1")) == []
    rows = [row for _, rows_of in export.FILES.values() for row in rows_of()]
    assert leaked(rows) == []
    report = monitoring_report(period=Period(date(2020, 1, 1), date(2030, 12, 31)))
    assert leaked(report_json(report)) == [] and leaked(report_csv(report)) == []
    # Pages that refuse, or fail, say nothing of the record.
    for role in (Role.HOUSING_SPOC, Role.FINANCE, Role.EVALUATOR, Role.BOROUGH_SPOC):
        client = Client()
        client.force_login(UserFactory(role=role, borough=camden), backend="eip.people.backends.AccountBackend")
        for url in (
            reverse("referral-detail", args=[referral.pk]),
            reverse("case-partner", args=[case.pk]),
            reverse("case-plan", args=[case.pk]),
            reverse("case-risk", args=[case.pk]),
        ):
            assert leaked(client.get(url).content) == [], (role, url)


def test_an_error_page_shows_nothing_of_the_request(client, monkeypatch, camden):
    user = UserFactory(role=Role.PRACTITIONER)
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    client.raise_request_exception = False

    def broken(**kwargs):
        raise RuntimeError(f"database said: {CANARIES[0]} {CANARIES[2]}")

    monkeypatch.setattr("eip.views.home_for", lambda user: broken())
    response = client.get(reverse("home"), {"q": CANARIES[0]})
    assert response.status_code == 500
    assert leaked(response.content) == []
    assert b"Sorry, there is a problem with the service" in response.content
    response = client.get(f"/no-such-page/{CANARIES[3].replace(' ', '')}/", {"q": CANARIES[0]})
    assert response.status_code == 404 and leaked(response.content) == []


def test_logged_tracebacks_keep_their_frames_but_not_what_the_exception_said(client, camden):
    """An exception's message can carry personal data (psycopg2 puts row values in DETAIL):
    the configured log handler writes the type and every frame, never the message."""
    import io

    from django.conf import settings

    from eip.logs import WITHHELD, WithholdExceptionMessages

    assert "withhold_exception_messages" in settings.LOGGING["handlers"]["console"]["filters"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(WithholdExceptionMessages())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("eip.test.withheld")
    logger.addHandler(handler)
    try:
        try:
            try:
                raise KeyError(f"partner {CANARIES[0]}")
            except KeyError as cause:
                raise ValueError(f"DETAIL: Key (phone)=({CANARIES[1]}) already exists") from cause
        except ValueError:
            logger.exception("Internal Server Error: /cases/1/")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert leaked(text) == []
    assert "Internal Server Error: /cases/1/" in text
    assert "builtins.ValueError: " + WITHHELD in text and "builtins.KeyError: " + WITHHELD in text
    assert "test_logged_tracebacks_keep_their_frames" in text  # the frames are all there
