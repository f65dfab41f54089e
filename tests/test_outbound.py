"""The outbound guard (eip/outbound.py): a partner canary planted, in ordinary variants, into
each kind of output for each recipient role is refused (a plain page or an unsent e-mail, an
audit row, an alert to supervisors that carries no value); the clean output passes untouched;
and an output path that skips the guard fails."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone

from accommodation import documents
from accommodation import services as accommodation_services
from accommodation.models import Fund
from cases import calendar
from cases import services as case_services
from cases import tasks as case_tasks
from data_protection import services as sar_services
from eip import outbound
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.notifications.services import notification_send_now
from eip.people.models import Role
from eip.workdays import is_working_day
from evaluation import export
from evaluation import views as evaluation_views
from evaluation.formats import report_csv, report_json
from evaluation.management.commands import mopac_report
from evaluation.report import Period, monitoring_report
from evaluation.tasks import monthly_report_send
from referrals.models import PartnerDetails
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = [pytest.mark.django_db, pytest.mark.outbound_guard]

PARTNER = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "phone": "07700 900999",
    "address": "7 Larkspur Road, London",
    "postcode": "ZZ9 9ZZ",
    "lives_with_client": "no",
    "safe_contact": "Text only after six SafeContactCanary",
}
SUPPORTER = "Jane at SupporterCanary Aid"
# (planted text, what the explanation calls it): the recorded details as people retype them.
VARIANTS = [
    ("Zephyrine", "the partner's name"),
    ("QUILLFEATHER, Zephyrine", "the partner's name"),
    ("+44 (0)7700 900 999", "the partner's phone number"),
    ("Larkspur Rd", "the partner's street"),
    ("zz99zz", "the partner's postcode"),
    ("text only after six SafeContactCanary", "how to contact the partner safely"),
    ("jane at supportercanary aid", "who supports the partner"),
]
# Each long enough that a random token on a page (a CSRF token has 64 letters and digits) is most
# unlikely to hold it by chance: "ZZ9" alone did, about once in a few thousand pages.
SECRETS = (
    "Zephyrine",
    "Quillfeather",
    "QUILLFEATHER",
    "7700",
    "Larkspur",
    "ZZ9 9ZZ",
    "ZZ99ZZ",
    "zz99zz",
    "Canary",
    "canary",
)


def secrets_in(text) -> list[str]:
    return [s for s in SECRETS if s in str(text)]


@pytest.fixture
def world(camden):
    Fund.objects.all().delete()
    Fund.objects.create(name="Phase 1", total=Decimal("14000"), places=10)
    people = {role: UserFactory(role=role, borough=camden) for role in Role}
    camden.housing_spoc = people[Role.HOUSING_SPOC]
    camden.save()
    people["supervisor2"] = UserFactory(role=Role.SUPERVISOR)
    p, worker = people[Role.PRACTITIONER], people[Role.SOCIAL_WORKER]
    case = make_case(worker, p, partner=PARTNER)
    case_services.partner_supporter_set(case=case, user=p, supporter=SUPPORTER)
    consultation = case_services.consultation_schedule(
        case=case, user=p, scheduled_at=timezone.now(), modality="video", attendees="SW"
    )
    case_services.consultation_record_outcome(consultation=consultation, user=p, outcome="suitable")
    case_services.risk_plan_revise(case=case, user=p, risks="R", safety_planning="S")
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
        user=people[Role.HOUSING_SPOC],
        provider="Hotel",
        kind="hotel_bnb",
        address="10 Hotel Street, London N1 1AA",
        nightly_rate=Decimal("60"),
        fixed_amount=None,
        start_on=date(2026, 2, 1),
        planned_end_on=date(2026, 2, 20),
        distance_miles=Decimal("2"),
        out_of_borough=False,
    )
    placement = accommodation_services.placement_decide(placement=placement, user=people[Role.FINANCE], approve=True)
    case.refresh_from_db()
    return {"people": people, "case": case, "placement": placement, "consultation": consultation}


def sign_in(client, user):
    client.logout()
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    return client


def refusals():
    return AuditEvent.objects.filter(action=AuditEvent.Action.OUTBOUND_REFUSED)


def assert_refused_page(response, what):
    page = response.content.decode()
    assert response.status_code == 403, page[:2000]
    assert "This document was not released" in page and what.replace("'", "&#x27;") in page.lower()
    assert secrets_in(page) == []


def assert_audited_and_alerted(world, what, before):
    events = list(refusals().order_by("pk")[before:])
    assert events, "the refusal was not audited"
    assert any(what in found for e in events for found in e.detail["found"])
    assert secrets_in([e.detail for e in events] + [e.record_label for e in events]) == []
    alerts = Notification.objects.filter(kind="outbound.refused")
    assert {a.recipient for a in alerts} == {world["people"][Role.SUPERVISOR], world["people"]["supervisor2"]}
    assert all(what in a.message for a in alerts) and secrets_in([a.message for a in alerts]) == []


# --- downloads ------------------------------------------------------------------------------


@pytest.mark.document_scan
@pytest.mark.parametrize(("planted", "what"), VARIANTS)
def test_the_accommodation_agreement_is_refused_to_everyone_who_downloads_it(world, client, planted, what):
    placement = world["placement"]
    placement.address = f"Room 4, {planted}"
    placement.save()
    url = reverse("agreement-pdf", args=[placement.pk])
    for role in (Role.PRACTITIONER, Role.SUPERVISOR, Role.HOUSING_SPOC):
        before = refusals().count()
        response = sign_in(client, world["people"][role]).get(url)
        assert_refused_page(response, what)
        assert "in “Accommodation” under “The placement”" in response.content.decode()
        assert refusals().count() == before + 1
        assert not AuditEvent.objects.filter(action="exported", record_id=str(placement.pk)).exists()
    assert_audited_and_alerted(world, what, 0)


@pytest.mark.document_scan
def test_a_clean_agreement_passes_untouched(world, client, monkeypatch):
    checked = []
    real = outbound.outbound_release
    monkeypatch.setattr(
        outbound, "outbound_release", lambda **kw: checked.append(kw["content"]) or real(**kw), raising=True
    )
    placement = world["placement"]
    for role in (Role.PRACTITIONER, Role.SUPERVISOR, Role.HOUSING_SPOC):
        response = sign_in(client, world["people"][role]).get(reverse("agreement-pdf", args=[placement.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert outbound.is_released(response)
    # What was checked is exactly what the PDF is made from.
    assert documents.agreement_html(placement).split("Produced")[0] == checked[-1].split("Produced")[0]
    assert refusals().count() == 0


@pytest.mark.probe(4)
@pytest.mark.document_scan
def test_a_subject_access_export_that_became_identifying_is_refused(world, client):
    """Prepared while the partner's address was not known, the export mentions the street; once
    the address is recorded, the frozen export is refused to whoever downloads it."""
    case, p = world["case"], world["people"][Role.PRACTITIONER]
    PartnerDetails.objects.filter(referral=case.referral).update(address="", postcode="")
    case_services.session_record(
        case=case,
        user=p,
        held_on=date(2026, 1, 7),
        modality="video",
        duration_minutes=60,
        attendance="attended",
        topics=[],
        notes="He said he has been to Larkspur Rd twice.",
    )
    sar = sar_services.subject_access_request_prepare(case=case, user=p, received_on=date(2026, 3, 3))
    assert "Larkspur Rd" in sar.content_html
    url = reverse("sar-download", args=[case.pk, sar.pk])
    assert sign_in(client, world["people"][Role.SUPERVISOR]).get(url).status_code == 200  # clean so far
    PartnerDetails.objects.filter(referral=case.referral).update(address="7 Larkspur Road, London")
    response = client.get(url)
    assert_refused_page(response, "the partner's street")
    sar_services.subject_access_request_review(sar=sar, user=world["people"][Role.SUPERVISOR], approve=True)
    assert_refused_page(sign_in(client, p).get(url), "the partner's street")
    assert_audited_and_alerted(world, "the partner's street", 0)


def _report_query(output="json"):
    today = timezone.localdate()
    return {
        "date_from_0": 1,
        "date_from_1": 1,
        "date_from_2": today.year - 1,
        "date_to_0": today.day,
        "date_to_1": today.month,
        "date_to_2": today.year,
        "format": output,
    }


def _planted_report(period, planted):
    report = monitoring_report(period=period)
    report["referrals"]["by_borough"][planted] = 1
    return report


@pytest.mark.document_scan
@pytest.mark.parametrize("output", ["json", "csv", "pdf"])
@pytest.mark.parametrize(("planted", "what"), VARIANTS[:5])
def test_the_monitoring_report_is_refused_in_every_format(world, client, monkeypatch, output, planted, what):
    # A label that came from free text: the guard catches what the allow-list did not.
    monkeypatch.setattr(evaluation_views, "monitoring_report", lambda period: _planted_report(period, planted))
    query = _report_query(output)
    for role in (Role.PROGRAMME_MANAGER, Role.SUPERVISOR):
        response = sign_in(client, world["people"][role]).get(reverse("monitoring-report"), query)
        assert_refused_page(response, what)
    assert_audited_and_alerted(world, what, 0)


def _undated(text):
    return re.sub(r"\d{4}-\d\d-\d\dT[\d:.+]+", "", text)  # when it was generated


@pytest.mark.document_scan
def test_a_clean_monitoring_report_passes_untouched(world, client):
    today = timezone.localdate()
    period = Period(date(today.year - 1, 1, 1), today)
    query = _report_query()
    del query["format"]
    client = sign_in(client, world["people"][Role.PROGRAMME_MANAGER])
    report = monitoring_report(period=period)
    for output, expected in (("json", report_json(report)), ("csv", report_csv(report))):
        response = client.get(reverse("monitoring-report"), {**query, "format": output})
        assert response.status_code == 200 and outbound.is_released(response)
        assert _undated(response.content.decode()) == _undated(expected)
    response = client.get(reverse("monitoring-report"), {**query, "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert refusals().count() == 0


def _plant_in_export(monkeypatch, world, planted):
    referral_id = world["case"].referral_id
    real = export.referral_rows

    def rows(keyed=False):
        for key, row in real(keyed=True):
            yield key, row + ([planted] if key == referral_id else [""])

    monkeypatch.setattr(export, "referral_rows", rows)


@pytest.mark.document_scan
@pytest.mark.parametrize(("planted", "what"), VARIANTS)
def test_the_evaluators_export_is_refused(world, client, monkeypatch, planted, what):
    _plant_in_export(monkeypatch, world, planted)
    response = sign_in(client, world["people"][Role.EVALUATOR]).get(reverse("evaluation-export-referrals"))
    assert_refused_page(response, what)
    assert "in row 2, column" in response.content.decode()
    assert not AuditEvent.objects.filter(action="exported", record_label__startswith="Evaluation export").exists()
    assert_audited_and_alerted(world, what, 0)


@pytest.mark.document_scan
def test_an_export_refused_after_it_started_stops_there_and_says_why(world, client, monkeypatch):
    # Make the planted row come after the rows checked before the file starts.
    monkeypatch.setattr(outbound, "PRIME_ROWS", 0)
    _plant_in_export(monkeypatch, world, "+44 7700 900999")
    response = sign_in(client, world["people"][Role.EVALUATOR]).get(reverse("evaluation-export-referrals"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    lines = list(csv.reader(io.StringIO(body)))
    assert len(lines) == 2 and lines[0][0] == "person_id"  # the header only: the one row was withheld
    assert lines[-1][0].startswith("# EXPORT STOPPED by the outbound guard: the partner's phone number, in row 2")
    assert secrets_in(body) == []
    assert_audited_and_alerted(world, "the partner's phone number", 0)


@pytest.mark.document_scan
def test_clean_evaluator_exports_pass_untouched(world, client):
    client = sign_in(client, world["people"][Role.EVALUATOR])
    for name, columns, rows in (
        ("evaluation-export-referrals", export.REFERRAL_COLUMNS, export.referral_rows),
        ("evaluation-export-assessments", export.ASSESSMENT_COLUMNS, export.assessment_rows),
        ("evaluation-export-events", export.EVENT_COLUMNS, export.event_rows),
        ("evaluation-export-case-weeks", export.CASE_WEEK_COLUMNS, export.case_week_rows),
        ("evaluation-export-partner-outcomes", export.PARTNER_OUTCOME_COLUMNS, export.partner_outcome_rows),
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200 and outbound.is_released(response)
        assert b"".join(response.streaming_content).decode() == "".join(export.csv_lines(columns, rows()))
    assert refusals().count() == 0


def _plant_in_invitation(monkeypatch, planted):
    real = calendar.invitation
    monkeypatch.setattr(
        calendar, "invitation", lambda **kw: real(**{**kw, "description": f"{planted}. {kw['description']}"})
    )


@pytest.mark.document_scan
@pytest.mark.parametrize(("planted", "what"), VARIANTS)
def test_a_calendar_file_is_refused_to_the_borough_spoc_and_given_to_professionals(
    world, client, monkeypatch, planted, what
):
    case = world["case"]
    url = reverse("consultation-invitation", args=[case.pk, world["consultation"].pk])
    _plant_in_invitation(monkeypatch, planted)
    assert_refused_page(sign_in(client, world["people"][Role.BOROUGH_SPOC]).get(url), what)
    assert "calendar invitation" in refusals().get().detail["document"]
    # Made for professionals, a download may carry partner details: it passes untouched.
    for role in (Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.SUPERVISOR):
        response = sign_in(client, world["people"][role]).get(url)
        assert response.status_code == 200 and outbound.is_released(response)
    assert refusals().count() == 1


# --- e-mail -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("planted", "what"), VARIANTS)
def test_an_email_naming_the_partner_is_sent_to_no_one(world, planted, what, django_capture_on_commit_callbacks):
    """E-mail leaves the secure system: refused whoever receives it, professionals included."""
    people = [u for key, u in world["people"].items() if key not in (Role.SUPERVISOR, "supervisor2")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rows = notification_send_now(
            recipients=people,
            kind="case.test",
            key="planted",
            subject=world["case"],
            message=f"Case {world['case'].reference}: {planted} called.",
        )
    assert len(rows) == len(people) == 8
    for row in rows:
        row.refresh_from_db()
        assert row.refused_at is not None and row.sent_at is None and row.cancelled_at is not None
    # Only the supervisors' alerts went out, once each, and they say what, not the value.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world["people"][Role.SUPERVISOR].email, world["people"]["supervisor2"].email]
    )
    assert secrets_in([m.subject + m.body for m in mail.outbox]) == []
    assert refusals().count() == len(people)
    assert_audited_and_alerted(world, what, 0)


def test_a_clean_email_is_sent_as_it_was_written(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    message = f"Case {world['case'].reference} needs a professionals meeting by Friday."
    with django_capture_on_commit_callbacks(execute=True):
        notification_send_now(
            recipients=[world["people"][Role.HOUSING_SPOC]],
            kind="case.test",
            key="k",
            subject=world["case"],
            message=message,
        )
    (sent,) = mail.outbox
    assert sent.body.startswith(message) and refusals().count() == 0


@pytest.mark.parametrize(("planted", "what"), VARIANTS[2:5])
def test_a_calendar_invitation_email_is_refused(world, monkeypatch, planted, what):
    _plant_in_invitation(monkeypatch, planted)
    mail.outbox.clear()
    assert case_tasks.invitation_email(world["case"].pk, "consultation") is False
    assert [m for m in mail.outbox if "invitation" in m.subject.lower()] == []
    assert_audited_and_alerted(world, what, 0)


@pytest.mark.document_scan
def test_the_monthly_report_email_is_refused_and_tried_again_next_morning(world, monkeypatch):
    monkeypatch.setattr("evaluation.tasks.monitoring_report", lambda period: _planted_report(period, "zz99zz"))
    # Next month's first working day sends this month's report, which concerns the case.
    first = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)
    while not is_working_day(first):
        first += timedelta(days=1)
    mail.outbox.clear()
    assert monthly_report_send(first.isoformat()) is False
    assert [m for m in mail.outbox if "monitoring report" in m.subject] == []
    assert_audited_and_alerted(world, "the partner's postcode", 0)


@pytest.mark.document_scan
def test_the_report_command_writes_nothing_when_refused(world, monkeypatch, tmp_path):
    monkeypatch.setattr(mopac_report, "monitoring_report", lambda period: _planted_report(period, "Larkspur Rd"))
    today = timezone.localdate()
    target = tmp_path / "report.json"
    with pytest.raises(CommandError, match="the partner's street") as refused:
        call_command("mopac_report", "--from", f"{today.year - 1}-01-01", "--to", today.isoformat(), "--output", target)
    assert secrets_in(str(refused.value)) == [] and not target.exists()
    assert_audited_and_alerted(world, "the partner's street", 0)


# --- what is not a finding ------------------------------------------------------------------------


def test_ordinary_words_dates_staff_and_street_names_are_not_mistaken_for_the_partner(world, client):
    """A partner called May Park, whose surname is in the placement's street, who shares a first
    name with the practitioner and a surname with an ethnic group, does not block documents."""
    case, p = world["case"], world["people"][Role.PRACTITIONER]
    p.full_name = "May Jones"
    p.save()
    PartnerDetails.objects.filter(referral=case.referral).update(first_name="May", last_name="Park")
    placement = world["placement"]
    placement.address = "10 Park Road, London N1 1AA"
    placement.start_on, placement.planned_end_on = date(2026, 5, 1), date(2026, 5, 20)
    placement.save()
    response = sign_in(client, world["people"][Role.HOUSING_SPOC]).get(reverse("agreement-pdf", args=[placement.pk]))
    assert response.status_code == 200
    PartnerDetails.objects.filter(referral=case.referral).update(last_name="White")
    response = sign_in(client, world["people"][Role.EVALUATOR]).get(reverse("evaluation-export-referrals"))
    assert response.status_code == 200 and b"White" in b"".join(response.streaming_content)
    assert refusals().count() == 0
    # The same words as the partner's, used as the partner's name, are caught.
    placement.address = "Room 4, care of May White"
    placement.save()
    response = sign_in(client, world["people"][Role.HOUSING_SPOC]).get(reverse("agreement-pdf", args=[placement.pk]))
    assert_refused_page(response, "the partner's name")


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07700 900999", "+447700900999"),
        ("+44 7700 900999", "+447700900999"),
        ("+44 (0)7700 900 999", "+447700900999"),
        ("0044 7700-900-999", "+447700900999"),
        ("(020) 7946 0018", "+442079460018"),
        ("020-7946-0018", "+442079460018"),
        ("not a number", None),
    ],
)
def test_phone_numbers_are_compared_in_e164(raw, e164):
    assert outbound.normalise_phone(raw) == e164


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("7 Larkspur Road, London", [("larkspur", "road")]),
        ("Flat 3, 7a Larkspur Rd., London NW1 0AA", [("larkspur", "road")]),
        ("Basement 12 St Mary's Gdns\nLondon", [("street", "mary", "gardens")]),
        ("Rose Court, 14 High St", [("rose", "court"), ("high", "street")]),
        ("12 The Grange, Sutton", [("the", "grange")]),
        ("London", []),
    ],
)
def test_streets_are_read_without_numbers_and_with_abbreviations_written_out(address, expected):
    assert outbound.streets(address) == expected


# --- nothing leaves without the guard ----------------------------------------------------------


def test_an_email_not_released_by_the_guard_is_not_sent():
    with pytest.raises(outbound.OutboundError, match="without passing"):
        EmailMessage("EIP: hello", "Body", to=["a@example.org"]).send()
    released = EmailMessage("EIP: hello", "Body", to=["a@example.org"])
    outbound.outbound_release(content=released, audience="practitioner", channel="email", label="test")
    released.body = "Changed after it was checked"
    with pytest.raises(outbound.OutboundError, match="changed after"):
        released.send()
    assert mail.outbox == []


def test_every_environment_sends_mail_through_the_guard():
    from django.conf import settings

    from eip.settings import base

    assert base.EMAIL_BACKEND == settings.EMAIL_BACKEND == "eip.outbound.ReleasedOnlyEmailBackend"
    assert "EMAIL_BACKEND" not in {
        line.split("=")[0].strip() for line in open(settings.BASE_DIR / "eip/settings/production.py")
    }
    assert "eip.outbound.OutboundMiddleware" in settings.MIDDLEWARE


def _bypassing_view(request):
    response = HttpResponse(b"%PDF-1.4 made without the guard", content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="x.pdf"'
    return response


_bypassing_view.policy_action = None
urlpatterns = [path("bypass/", _bypassing_view), path("", lambda request: HttpResponse("A page"))]


@override_settings(ROOT_URLCONF=__name__)
def test_a_download_view_that_skips_the_guard_fails(client, world):
    sign_in(client, world["people"][Role.PRACTITIONER])
    assert client.get("/").status_code == 200  # pages are not outputs
    with pytest.raises(outbound.OutboundError, match="did not pass outbound_release"):
        client.get("/bypass/")


def test_rows_out_of_referral_order_are_a_programming_error(world):
    first = world["case"].referral_id
    with pytest.raises(outbound.OutboundError, match="referral order"):
        outbound.outbound_release(
            content=outbound.KeyedRows(["a"], [(first + 1, ["x"]), (first, ["y"])]),
            audience="evaluator",
            channel="download",
            concerning=outbound.EVERY_REFERRAL,
        )


def test_unknown_audiences_channels_and_records_are_programming_errors(world):
    with pytest.raises(ImproperlyConfigured):
        outbound.outbound_release(content="x", audience="public", channel="download")
    with pytest.raises(ImproperlyConfigured):
        outbound.outbound_release(content="x", audience="client", channel="fax")
    with pytest.raises(ImproperlyConfigured, match="concern_of"):
        outbound.outbound_release(content="x", audience="client", channel="download", concerning=[Fund.objects.get()])


def test_the_export_makes_the_same_number_of_queries_for_few_or_many_referrals(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = sign_in(client, world["people"][Role.EVALUATOR])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("evaluation-export-referrals"))
            body = b"".join(response.streaming_content)
        return len(captured), body.count(b"\n")

    few, lines = queries()
    for _ in range(12):
        make_case(world["people"][Role.SOCIAL_WORKER], world["people"][Role.PRACTITIONER], partner=PARTNER)
    many, more_lines = queries()
    assert more_lines == lines + 12 and many == few


def test_a_practitioner_who_shares_the_partners_first_name_does_not_block_the_agreement(world, client):
    case = world["case"]
    PartnerDetails.objects.filter(referral=case.referral).update(first_name="Aisling")
    practitioner = world["people"][Role.PRACTITIONER]
    practitioner.full_name = "Aisling Byrne"
    practitioner.save()
    url = reverse("agreement-pdf", args=[world["placement"].pk])
    assert sign_in(client, world["people"][Role.HOUSING_SPOC]).get(url).status_code == 200
    # On its own, the first name is the partner's.
    world["placement"].address = "Room 4, ask for Aisling"
    world["placement"].save()
    assert_refused_page(client.get(url), "the partner's name")


@pytest.mark.parametrize(("planted", "what"), VARIANTS)
def test_the_cheap_tests_never_drop_a_match_the_full_one_finds(world, monkeypatch, planted, what):
    """The sources skip referrals the cheap test rules out: for every variant, the findings are
    the same as with no cheap test at all."""
    parts = [("in the notes", f"Saw them at the school gate. {planted} was mentioned."), ("in the title", "Notes")]
    referrals = [world["case"].referral_id]
    with_keep = outbound.scan(parts, referrals)
    monkeypatch.setattr(outbound, "_keeper", lambda index: None)
    without_keep = outbound.scan(parts, referrals)
    assert with_keep == without_keep and [f.what for f in with_keep] == [what]


# --- a report's money figures read as phone numbers --------------------------------------------

MONEY = {"total": "14000.00", "committed": "15924776.00", "spent": "15635760.00", "remaining": "-15910776.00"}


def _report_with_money(period, planted=None):
    report = monitoring_report(period=period)
    report["accommodation"]["fund"] = dict(MONEY)
    if planted:
        report["referrals"]["by_borough"][planted] = 1
    return report


def _count_compiled(monkeypatch) -> list:
    compiled = []
    real = outbound.Targets

    class Counted(real):
        def __init__(self, identifiers=()):
            compiled.append(1)
            super().__init__(identifiers)

    monkeypatch.setattr(outbound, "Targets", Counted)
    return compiled


@pytest.mark.document_scan
def test_a_report_whose_money_figures_read_as_phone_numbers_takes_the_quick_path(world, client, monkeypatch):
    """Eight-digit fund totals ("15924776.00") read as phone numbers; a referral none of whose
    numbers they are is ruled out by the cheap tests, as for a report with no such figure."""
    assert {t.kind for t in outbound.tokens('"committed": "15924776.00"')} >= {"phone"}
    monkeypatch.setattr(evaluation_views, "monitoring_report", _report_with_money)
    compiled = _count_compiled(monkeypatch)
    response = sign_in(client, world["people"][Role.PROGRAMME_MANAGER]).get(
        reverse("monitoring-report"), _report_query()
    )
    assert response.status_code == 200 and b"15924776.00" in response.content
    assert compiled == []  # the partner's details were never compiled for the full search
    assert refusals().count() == 0


@pytest.mark.document_scan
@pytest.mark.parametrize("output", ["json", "csv", "pdf"])
@pytest.mark.parametrize("planted", ["07700900999", "Call 07700 900999 after six", "+447700900999"])
def test_a_partners_phone_beside_money_figures_is_still_refused(world, client, monkeypatch, output, planted):
    """The same number of digits as the money figures, typed as text: refused in every format."""
    monkeypatch.setattr(evaluation_views, "monitoring_report", lambda period: _report_with_money(period, planted))
    response = sign_in(client, world["people"][Role.PROGRAMME_MANAGER]).get(
        reverse("monitoring-report"), _report_query(output)
    )
    assert_refused_page(response, "the partner's phone number")


@pytest.mark.document_scan
def test_a_money_figure_that_spells_a_partners_number_is_still_refused(world, client, monkeypatch):
    """No number is ruled out for looking like money: the guard refuses what it always did."""
    PartnerDetails.objects.filter(referral=world["case"].referral).update(phone="01592 477600")
    monkeypatch.setattr(evaluation_views, "monitoring_report", _report_with_money)
    response = sign_in(client, world["people"][Role.PROGRAMME_MANAGER]).get(
        reverse("monitoring-report"), _report_query()
    )
    assert_refused_page(response, "the partner's phone number")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("phone", "07700 900999"),
        ("phone", "+44 (0)7700 900 999"),
        ("phone", "  020 7946 0000  "),
        ("phone", "0770090099"),  # ten digits, not a possible number
        ("phone", "07700 900999 ext 12"),  # letters: matched as words
        ("phone", "0207 946"),
        ("address", "Flat 2, 7 Larkspur Road, London, call 07700 900111 first"),
        ("address", "7 Larkspur Road, London ZZ9 9ZZ"),
        ("text", "Ring 020 7946 0999 or 07700-900-222 after six"),
        ("text", "Seen 2026-01-07 12:30, no number"),
        ("text", "Reference 1234567890123456789"),
        ("postcode", "ZZ9 9ZZ"),
        ("name", "Zephyrine Quillfeather"),
    ],
)
def test_the_cheap_phone_test_reads_the_same_numbers_as_the_full_match(kind, value):
    identifiers = [
        outbound.Identifier(1, "partner", kind, value),
        outbound.Identifier(1, "client", "phone", "020 7946 0123"),
    ]
    group = outbound._Group(identifiers)
    assert group.phones == set(outbound.Targets(identifiers).phones)
    keep = outbound._keeper(_index_of("Figures: 15924776.00", *group.phones))
    assert keep is not None and keep([(kind, value)]) == bool(group.phones)


def _index_of(*texts):
    index = outbound.ContentIndex()
    for n, text in enumerate(texts):
        index.add(f"on line {n}", text)
    return index


@pytest.mark.parametrize(("planted", "what"), VARIANTS)
def test_the_cheap_tests_never_drop_a_match_beside_money_figures(world, monkeypatch, planted, what):
    parts = [("on line 1", '"committed": "15924776.00",'), ("on line 2", f'"{planted}": 1,')]
    referrals = [world["case"].referral_id]
    with_keep = outbound.scan(parts, referrals)
    monkeypatch.setattr(outbound, "_keeper", lambda index: None)
    monkeypatch.setattr(outbound._Group, "could_appear", lambda self, index: True)
    without_keep = outbound.scan(parts, referrals)
    assert with_keep == without_keep and [f.what for f in with_keep] == [what]


@pytest.mark.parametrize("written", ["Call 946 0000 tonight", "946-0000"])
def test_a_partners_local_number_too_short_to_read_as_a_phone_number_is_still_found(world, written):
    """Recorded as dialled locally, it is matched as the numbers it is written in: the cheap
    tests let it through to the full search, in a report and in the evaluator's export rows."""
    PartnerDetails.objects.filter(referral=world["case"].referral).update(phone="946 0000")
    referrals = [world["case"].referral_id]
    found = outbound.scan([("on line 1", '"committed": "15924776.00",'), ("on line 2", written)], referrals)
    assert [f.what for f in found] == ["the partner's phone number"]
    checker = outbound._RowChecker(["notes"])
    finding = checker.check(world["case"].referral_id, [written])
    checker.identifiers.close()
    assert finding is not None and finding.what == "the partner's phone number"
