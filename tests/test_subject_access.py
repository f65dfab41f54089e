"""Subject access requests: the client's own data is exported, the partner's and children's
details and the referrer's account of them are withheld, and nothing is released until a
supervisor other than the preparer has approved it. Every download is audited."""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accommodation import services as accommodation_services
from accommodation.models import Fund
from assessments.services import assessment_complete
from cases import services
from cases.models import Case, SubjectAccessRequest
from data_protection import services as sar_services
from data_protection.selectors import WITHHELD, content_digest, subject_access_pdf
from eip.audit.models import AuditEvent
from eip.people.models import BOROUGH_ROLES, Role
from tests.assessment_factories import dash, needs, soag
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db

PARTNER = {
    "first_name": "Zephyrine",
    "last_name": "Quillfeather",
    "phone": "07700 900999",
    "address": "7 Larkspur Mews, London",
    "postcode": "ZZ9 9ZZ",
    "safe_contact": "Text only after six SafeContactCanary",
}
# Third-party text planted in every place the export must leave out.
THIRD_PARTY = {
    "case_dynamic": "CaseDynamicCanary",
    "police_details": "PoliceDetailsCanary",
    "risks": "RiskPlanRisksCanary",
    "safety_planning": "SafetyPlanningCanary",
    "partner_sharing": "PartnerConsentCanary",
    "partner_contact": "PartnerContactCanary",
    "partner_supporter": "PartnerSupporterCanary",
    "disclosure": "DisclosureCanary",
    "meeting": "MeetingRiskCanary",
    "exclusion": "ExclusionAreaCanary",
    "idva_outcome": "IdvaOutcomeCanary",
    "consultation_notes": "ConsultationNotesCanary",
}
SESSION_NOTE = "SessionNoteCanary: worked on noticing anger early"


@pytest.fixture
def people(camden):
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden)
    camden.housing_spoc = housing
    camden.save()
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
        "colleague": UserFactory(role=Role.PRACTITIONER),
        "supervisor": UserFactory(role=Role.SUPERVISOR),
        "other_supervisor": UserFactory(role=Role.SUPERVISOR),
        "housing": housing,
        "finance": UserFactory(role=Role.FINANCE),
    }


@pytest.fixture
def case(people):
    """A case worked through the pathway, with third-party canaries everywhere they can go."""
    p, worker = people["practitioner"], people["worker"]
    case = make_case(
        worker,
        p,
        partner=PARTNER,
        case_dynamic=THIRD_PARTY["case_dynamic"],
        police_involved="yes",
        police_details=THIRD_PARTY["police_details"],
    )
    consultation = services.consultation_schedule(
        case=case, user=p, scheduled_at=timezone.now(), modality="video", attendees="SW and manager"
    )
    services.consultation_record_outcome(
        consultation=consultation, user=p, outcome="suitable", notes=THIRD_PARTY["consultation_notes"]
    )
    services.risk_plan_revise(
        case=case, user=p, risks=THIRD_PARTY["risks"], safety_planning=THIRD_PARTY["safety_planning"]
    )
    services.consent_record(
        case=case,
        user=worker,
        party="client",
        given_on=date(2026, 1, 5),
        method="written",
        obtained_by="The social worker",
        sharing="Practitioner and social worker",
    )
    services.consent_record(
        case=case,
        user=worker,
        party="partner",
        given_on=date(2026, 1, 5),
        method="written",
        obtained_by="The social worker",
        sharing=THIRD_PARTY["partner_sharing"],
    )
    services.intervention_start(case=case, user=p, started_on=date(2026, 1, 6))
    services.session_record(
        case=case,
        user=p,
        held_on=date(2026, 1, 7),
        modality="face_to_face",
        duration_minutes=60,
        attendance="attended",
        topics=["emotional_regulation"],
        notes=f"{SESSION_NOTE}. Talked about Zephyrine and called 07700900999 by mistake.",
    )
    services.meeting_record(
        case=case, user=p, held_on=date(2026, 1, 9), attendees="SW", risk_updates=THIRD_PARTY["meeting"]
    )
    services.partner_contact_record(
        case=case, user=p, contacted_on=date(2026, 1, 8), by="SW", notes=THIRD_PARTY["partner_contact"]
    )
    services.partner_supporter_set(case=case, user=p, supporter=THIRD_PARTY["partner_supporter"])
    services.disclosure_record(
        case=case, user=p, disclosed_on=date(2026, 1, 8), description=THIRD_PARTY["disclosure"], escalate=True
    )
    services.onward_referral_record(case=case, user=p, service="dvpp", made_on=date(2026, 1, 10))
    services.onward_referral_record(
        case=case, user=p, service="idva", made_on=date(2026, 1, 10), outcome=THIRD_PARTY["idva_outcome"]
    )
    assessment_complete(
        case=case,
        user=p,
        instrument="needs",
        stage="intake",
        assessed_on=date(2026, 1, 7),
        answers=needs([3] * 10),
        review_date=date(2026, 2, 7),
    )
    assessment_complete(
        case=case,
        user=p,
        instrument="soag",
        stage="intake",
        assessed_on=date(2026, 1, 7),
        answers=soag(physical="high"),
    )
    assessment_complete(
        case=case, user=p, instrument="dash", stage="intake", assessed_on=date(2026, 1, 7), answers=dash(5)
    )
    Fund.objects.all().delete()
    Fund.objects.create(name="Phase 1", total=Decimal("14000"), places=10)
    request = accommodation_services.accommodation_request(
        case=case,
        user=p,
        needed_from=date(2026, 2, 1),
        reason="R",
        risks_and_mitigation="R",
        scenario_planning="S",
        housing_options_explained=True,
        preferred_area="",
        exclusion_areas=THIRD_PARTY["exclusion"],
    )
    placement = accommodation_services.placement_propose(
        request=request,
        user=people["housing"],
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
    accommodation_services.placement_decide(placement=placement, user=people["finance"], approve=True)
    case.refresh_from_db()
    return case


def _prepare(case, people, received_on=date(2026, 3, 3)):
    return sar_services.subject_access_request_prepare(case=case, user=people["practitioner"], received_on=received_on)


def _pdf_text(sar, tmp_path) -> str:
    pdf = tmp_path / "sar.pdf"
    pdf.write_bytes(subject_access_pdf(sar=sar))
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _squeezed(text: str) -> str:
    # Table cells wrap: compare without whitespace so a wrapped secret is still found.
    return re.sub(r"\s+", "", text)


@pytest.mark.document_scan
def test_the_export_has_the_clients_data_and_none_of_the_third_partys(case, people, tmp_path):
    sar = _prepare(case, people)
    sar = sar_services.subject_access_request_review(sar=sar, user=people["supervisor"], approve=True)
    text = _pdf_text(sar, tmp_path)
    for document in (text, sar.content_html):
        squeezed = _squeezed(document)
        # The client's own data.
        for expected in (
            "Daniel",
            "Hughes",
            "14 May 1987",
            SESSION_NOTE,
            "Emotional regulation",
            "Needs Analysis Matrix",
            "DVPP",
            "10 Hotel Street",
            "1 February 2026",
            "What has been withheld",
        ):
            assert _squeezed(expected) in squeezed, expected
        # Nothing about the partner, the children, or the referrer's account.
        secrets = [*PARTNER.values(), *THIRD_PARTY.values(), "Larkspur", "07700900999", "aged 6", "Child in Need"]
        for secret in secrets:
            assert _squeezed(secret) not in squeezed, secret
        assert "DASHriskidentificationchecklist" not in squeezed and "SeverityofAbuseGrid·" in squeezed
    # Where the partner was named in the client's session notes, the text is withheld.
    assert _squeezed(WITHHELD) in _squeezed(text)
    assert "Quillfeather" not in sar.content_html


def test_the_export_is_frozen_when_prepared(case, people):
    sar = _prepare(case, people)
    before = sar.content_html
    case.sessions.update(notes="Changed after preparation")
    sar.refresh_from_db()
    assert sar.content_html == before and sar.content_digest == content_digest(before)
    # Tampering with the stored export stops its release.
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(content_html=before + "<p>extra</p>")
    with pytest.raises(services.CaseError, match="changed"):
        sar_services.subject_access_request_review(sar=sar, user=people["supervisor"], approve=True)


def test_release_is_refused_before_approval_and_after_return(case, people):
    sar = _prepare(case, people)
    with pytest.raises(services.CaseError, match="must approve"):
        sar_services.subject_access_request_release(sar=sar, user=people["practitioner"])
    with pytest.raises(services.CaseIncomplete):
        sar_services.subject_access_request_review(sar=sar, user=people["supervisor"], approve=False, notes=" ")
    sar_services.subject_access_request_review(sar=sar, user=people["supervisor"], approve=False, notes="Withhold more")
    with pytest.raises(services.CaseError, match="returned"):
        sar_services.subject_access_request_release(sar=sar, user=people["practitioner"])
    # Prepared again, approved, released once.
    again = _prepare(case, people)
    sar_services.subject_access_request_review(sar=again, user=people["supervisor"], approve=True)
    released = sar_services.subject_access_request_release(sar=again, user=people["practitioner"])
    assert released.status == "released" and released.released_by == people["practitioner"]
    with pytest.raises(services.CaseError, match="already been released"):
        sar_services.subject_access_request_release(sar=again, user=people["practitioner"])
    assert list(case.events.filter(kind__startswith="sar_").values_list("kind", flat=True)) == [
        "sar_released",
        "sar_approved",
        "sar_prepared",
        "sar_returned",
        "sar_prepared",
    ]


def test_the_preparer_cannot_review_their_own_export(case, people):
    supervisor = people["supervisor"]
    sar = sar_services.subject_access_request_prepare(case=case, user=supervisor, received_on=date(2026, 3, 3))
    with pytest.raises(services.CaseError, match="another supervisor"):
        sar_services.subject_access_request_review(sar=sar, user=supervisor, approve=True)
    sar.refresh_from_db()
    assert sar.status == "prepared"
    with pytest.raises(services.CaseError):
        sar_services.subject_access_request_release(sar=sar, user=people["practitioner"])
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        SubjectAccessRequest.objects.filter(pk=sar.pk).update(
            status="approved", reviewed_by=supervisor, reviewed_at=timezone.now()
        )


def test_release_needs_the_approval_of_a_supervisor(case, people):
    sar = _prepare(case, people)
    # Approved by someone who is not a supervisor (forced past the service): release is refused.
    SubjectAccessRequest.objects.filter(pk=sar.pk).update(
        status="approved", reviewed_by=people["colleague"], reviewed_at=timezone.now()
    )
    with pytest.raises(services.CaseError, match="supervisor other than"):
        sar_services.subject_access_request_release(sar=sar, user=people["practitioner"])


def test_a_non_supervisor_cannot_review(case, people, client_for):
    sar = _prepare(case, people)
    with pytest.raises(services.CaseError, match="Only a supervisor"):
        sar_services.subject_access_request_review(sar=sar, user=people["colleague"], approve=True)
    url = reverse("sar-review", args=[case.pk, sar.pk])
    for who in ("colleague", "worker"):
        response = client_for(people[who]).post(url, {"decision": "approve"})
        assert response.status_code == 403, who
        response.client.logout()
    sar.refresh_from_db()
    assert sar.status == "prepared"


def test_one_open_request_per_case(case, people):
    _prepare(case, people)
    with pytest.raises(services.CaseError, match="already waiting"):
        _prepare(case, people)
    with pytest.raises(services.CaseIncomplete):
        _prepare(case, people, received_on=timezone.localdate().replace(year=timezone.localdate().year + 1))


@pytest.mark.parametrize(
    ("received_on", "due_on"),
    [
        (date(2026, 3, 10), date(2026, 4, 10)),  # the same date next month
        (date(2026, 1, 31), date(2026, 3, 2)),  # no 31 February: 28 February, a Saturday, so Monday
        (date(2026, 3, 3), date(2026, 4, 7)),  # 3 April is Good Friday, then the Easter weekend and Monday
        (date(2026, 12, 15), date(2027, 1, 15)),  # across the year end
    ],
)
def test_the_statutory_deadline_is_one_calendar_month(received_on, due_on):
    assert SubjectAccessRequest(received_on=received_on).due_on == due_on


def test_the_whole_flow_through_the_screens_and_every_download_is_audited(case, people, client, tmp_path):
    def sign_in(user):
        client.force_login(user, backend="eip.people.backends.AccountBackend")

    practitioner, supervisor = people["practitioner"], people["supervisor"]
    sign_in(practitioner)
    page = client.get(reverse("case-sar", args=[case.pk]))
    assert page.status_code == 200 and b"Prepare a subject access export" in page.content
    assert b"Subject access requests" in client.get(reverse("case-detail", args=[case.pk])).content
    response = client.post(
        reverse("sar-prepare", args=[case.pk]),
        {"received_on_0": "3", "received_on_1": "3", "received_on_2": "2026"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    sar = SubjectAccessRequest.objects.get(case=case)
    page = client.get(reverse("case-sar", args=[case.pk]))
    assert b"Tuesday 7 April 2026" in page.content  # the due date is shown
    # Not yet approved: the practitioner cannot download it.
    download = reverse("sar-download", args=[case.pk, sar.pk])
    assert client.get(download).status_code == 404
    assert client.post(reverse("sar-release", args=[case.pk, sar.pk])).status_code == 302
    sar.refresh_from_db()
    assert sar.status == "prepared"
    client.logout()

    sign_in(supervisor)
    review = client.get(reverse("sar-review", args=[case.pk, sar.pk]))
    assert review.status_code == 200
    assert b"SessionNoteCanary" in review.content and b"Zephyrine" not in review.content
    assert b"disclosures (1)" in review.content  # what was left out, for the reviewer only
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.post(reverse("sar-review", args=[case.pk, sar.pk]), {"decision": "approve"}).status_code == 302
    client.logout()

    sign_in(practitioner)
    response = client.get(download)
    assert response.status_code == 200
    pdf = tmp_path / "download.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Daniel" in text and "Zephyrine" not in text and "DRAFT" not in text
    client.post(reverse("sar-release", args=[case.pk, sar.pk]))
    sar.refresh_from_db()
    assert sar.status == "released" and sar.released_by == practitioner

    downloads = AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORTED, record_type="cases.subjectaccessrequest", record_id=str(sar.pk)
    )
    assert sorted(downloads.values_list("actor__role", flat=True)) == ["practitioner", "supervisor"]
    assert all(e.detail["document"] == "subject access export" for e in downloads)
    assert "Daniel" not in " ".join(e.record_label for e in downloads)


def test_no_one_else_sees_subject_access_requests(case, people, client_for, camden):
    sar = _prepare(case, people)
    sar_services.subject_access_request_review(sar=sar, user=people["supervisor"], approve=True)
    urls = [
        reverse("case-sar", args=[case.pk]),
        reverse("sar-review", args=[case.pk, sar.pk]),
        reverse("sar-download", args=[case.pk, sar.pk]),
    ]
    for role in (Role.SOCIAL_WORKER, Role.BOROUGH_SPOC, Role.HOUSING_SPOC, Role.FINANCE, Role.EVALUATOR):
        client = client_for(UserFactory(role=role, borough=camden if role in BOROUGH_ROLES else None))
        for url in urls:
            response = client.get(url)
            assert response.status_code in (403, 404), (role, url)
            assert b"Daniel" not in response.content
        client.logout()
    # The referring social worker sees the case, but not the subject access section.
    page = client_for(people["worker"]).get(reverse("case-detail", args=[case.pk]))
    assert page.status_code == 200 and b"Subject access requests" not in page.content


@pytest.mark.document_scan
def test_a_partner_who_shares_the_clients_surname_and_home(people, tmp_path):
    """The factory's partner, Chloe Hughes, lives with Daniel Hughes: his surname stays, but the
    shared address and postcode are withheld, and so is her first name wherever it appears."""
    p = people["practitioner"]
    case = make_case(people["worker"], p)
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2026, 1, 6))
    services.session_record(
        case=case,
        user=p,
        held_on=date(2026, 1, 7),
        modality="video",
        duration_minutes=50,
        attendance="attended",
        topics=[],
        notes='Said chloe hughes was upset. <img src="file:///etc/passwd"> Lives at NW10AA.',
    )
    sar = _prepare(case, people)
    html = sar.content_html
    assert "Daniel" in html and "Hughes" in html
    for secret in ("Chloe", "chloe", "12 Example Road", "NW1 0AA", "NW10AA"):
        assert secret not in html, secret
    assert '<img src="file:' not in html and "&lt;img" in html  # escaped, never markup
    sar_services.subject_access_request_review(sar=sar, user=people["supervisor"], approve=True)
    text = _squeezed(_pdf_text(sar, tmp_path))
    assert "Daniel" in text and "Chloe" not in text and "ExampleRoad" not in text and "NW10AA" not in text


# --- finding 4: the partner's whereabouts in ordinary variants -------------------------------

# A partner who lives apart from the client, recorded the way people type: a flat and house
# number, "Road" in full, the postcode stored without its space, an accented first name.
APART = {
    "first_name": "Zoë",
    "last_name": "Quillfeather",
    "phone": "07700 900999",
    "address": "Flat 2, 7 Larkspur Road, London",
    "postcode": "ZZ99ZZ",
    "safe_contact": "Text only after six SafeContactCanary",
}


def _note(people, notes, partner=APART):
    """A case whose only session note is `notes`, prepared for subject access."""
    p = people["practitioner"]
    case = make_case(people["worker"], p, partner=partner)
    Case.objects.filter(pk=case.pk).update(stage="intervention", intervention_started_on=date(2026, 1, 6))
    services.session_record(
        case=case,
        user=p,
        held_on=date(2026, 1, 7),
        modality="video",
        duration_minutes=60,
        attendance="attended",
        topics=[],
        notes=notes,
    )
    return _prepare(case, people)


def _sessions(html: str) -> str:
    return html[html.index("sar-sessions") : html.index("Professionals meetings")]


@pytest.mark.probe(4)
@pytest.mark.document_scan
@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("Larkspur Road", "the street without the house number"),
        ("larkspur rd", "the street abbreviated, in lower case"),
        ("Larkspur Rd.", "the street abbreviated with a full stop"),
        ("+44 7700 900999", "the phone number with the country code"),
        ("+44 (0)7700 900 999", "the phone number with (0) and other spacing"),
        ("0044 7700-900-999", "the phone number dialled from abroad"),
        ("ZZ9 9ZZ", "the postcode with its space (recorded without)"),
        ("Zoe", "the first name without its accent"),
        ("Zoe Quillfeather", "the full name without the accent"),
    ],
)
def test_the_partners_whereabouts_are_withheld_in_every_ordinary_variant(people, written, why):
    sar = _note(people, f"Said he drove past {written} on Sunday. Annual review next week.")
    sessions = _sessions(sar.content_html)
    # Nothing of it is left, not even a fragment such as "+44 (".
    for piece in re.split(r"[\s().-]+", written):
        assert len(piece) < 2 or not re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", sessions), (why, piece)
    assert WITHHELD in sessions and "drove past" in sessions
    # Whole words only: "Annual" is not a partner called Ann, and nothing else is taken out.
    assert "Annual review next week." in sessions


def test_the_partners_name_is_matched_as_whole_words(people):
    partner = {**APART, "first_name": "Ann", "last_name": "Wells"}
    sar = _note(people, "Ann's sister visited. Annual leave; the Wellspring centre; Wells rang.", partner)
    sessions = _sessions(sar.content_html)
    assert "Ann&#x27;s" not in sessions and "Wells rang" not in sessions
    assert "Annual leave" in sessions and "Wellspring centre" in sessions


@pytest.mark.probe(4)
@pytest.mark.document_scan
def test_phone_numbers_emails_and_postcodes_that_are_not_the_clients_own_are_withheld(people):
    """Beyond the partner's recorded details: anyone else's contact details in free text are
    withheld; the client's own (07700 900123, NW1 0AA on the referral) stay."""
    sar = _note(
        people,
        "Her sister is on 020 7946 0018 and sister.q@mail.example, now living near SE1 7PB. "
        "He gave his own number, 07700 900123, and postcode NW1 0AA.",
    )
    sessions = _sessions(sar.content_html)
    for other in ("020 7946 0018", "sister.q@mail.example", "SE1 7PB"):
        assert other not in sessions, other
    assert "07700 900123" in sessions and "NW1 0AA" in sessions
    assert sessions.count(WITHHELD) == 3


@pytest.mark.probe(4)
@pytest.mark.document_scan
def test_the_reviewer_sees_each_withheld_span_with_its_reason_and_the_client_only_the_marker(
    people, client_for, tmp_path
):
    sar = _note(
        people,
        "Drove past Larkspur Rd, then called +44 7700 900999. Her friend's number is 020 7946 0018.",
    )
    review = client_for(people["supervisor"]).get(reverse("sar-review", args=[sar.case_id, sar.pk]))
    page = review.content.decode()
    marks = re.findall(r'<mark class="app-withheld" data-testid="withheld-span">(.*?)</mark>', page)
    assert marks == [
        "[withheld: the partner&#x27;s street]",
        "[withheld: the partner&#x27;s phone number]",
        "[withheld: a phone number that is not the client&#x27;s]",
    ]
    assert "Larkspur" not in page and "7700 900999" not in page and "7946" not in page
    # The client's copy: the plain marker where each span was, no reasons.
    sar = sar_services.subject_access_request_review(sar=sar, user=people["supervisor"], approve=True)
    text = _pdf_text(sar, tmp_path)
    notes = _squeezed(text[text.index("Sessions") : text.index("Professionals meetings")])
    assert notes.count("[withheld:") == 3 and "Drovepast" in notes
    assert "street" not in notes and "phonenumber" not in notes and "notthe" not in notes
