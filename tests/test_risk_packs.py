"""Risk packs: the MARAC referral summary and the IDVA handover summary, read back from the PDF
(pdftotext) as the practitioner would send them; who may produce them; the guard's restriction
to practitioners and supervisors whatever the partner's record holds; every download audited."""

import subprocess
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services as assessment_services
from cases import services
from cases.models import Case
from eip import outbound
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.people.models import Absence, Role
from referrals.models import PartnerDetails, ReferredChild
from risk_packs.packs import PACKS
from risk_packs.selectors import risk_pack_html
from tests.assessment_factories import dash
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db
STARTED = date(2026, 1, 12)


@pytest.fixture
def people(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor"),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
        "supervisor": UserFactory(role=Role.SUPERVISOR, full_name="Rita Lead"),
    }


def in_intervention(case):
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=STARTED)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def case(people):
    return in_intervention(make_case(people["worker"], people["practitioner"]))


def high_risk(case, practitioner):
    """A case as it stands when the practitioner refers to MARAC: a DASH of 15 'yes', a plan with
    actions, a DVPP referral, an escalated disclosure, a meeting's actions, the partner's consent."""
    assessment_services.assessment_complete(
        case=case,
        user=practitioner,
        instrument="dash",
        stage="intake",
        assessed_on=date(2026, 1, 14),
        answers=dash(15),
        potential_escalation=True,
    )
    services.risk_plan_revise(
        case=case,
        user=practitioner,
        risks="Escalating verbal abuse; threats when drinking.",
        safety_planning="Chloe keeps her phone charged; code word agreed with her sister.",
        actions=[{"action": "Weekly check-in with the partner's support worker", "owner": "Sam", "due": "2026-02-01"}],
    )
    services.onward_referral_record(case=case, user=practitioner, service="dvpp", made_on=date(2026, 1, 15))
    services.disclosure_record(
        case=case,
        user=practitioner,
        disclosed_on=date(2026, 1, 16),
        description="Client admitted pushing his partner at the weekend.",
        escalate=True,
    )
    services.meeting_record(
        case=case,
        user=practitioner,
        held_on=date(2026, 1, 17),
        attendees="Sam, Alex",
        actions="Sam to speak to the school about the safeguarding lead.",
    )
    services.consent_record(
        case=case,
        user=practitioner,
        party="partner",
        given_on=date(2026, 1, 13),
        method="written",
        obtained_by="Sam Okafor",
        sharing="Practitioner, social worker and MARAC",
    )
    return case


def pdf_text(response, tmp_path, name="pack.pdf") -> tuple[str, int]:
    path = tmp_path / name
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    return " ".join(text.split()), pages


def download(client_for, user, case, code):
    return client_for(user).get(reverse(f"risk-pack-{code}", args=[case.pk]))


@pytest.mark.document_scan
@pytest.mark.parametrize("code, title", [("marac", "MARAC referral summary"), ("idva", "IDVA handover summary")])
def test_the_pack_reads_back_with_the_dash_partner_children_agencies_and_actions(
    code, title, people, case, client_for, tmp_path
):
    high_risk(case, people["practitioner"])
    response = download(client_for, people["practitioner"], case, code)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{PACKS[code].slug}-{case.reference}.pdf"'
    assert outbound.is_released(response)
    text, pages = pdf_text(response, tmp_path)
    assert pages == 1  # one page, as MARAC coordinators and IDVA services ask
    assert title in text and case.reference in text and "OFFICIAL-SENSITIVE" in text
    # The DASH: score, the MARAC criteria it meets, the questions answered yes with their source.
    assert "Score: 15 ‘yes’ of 24" in text
    assert "visible high risk: 15 ‘yes’ answers (14 or more)" in text and "potential escalation" in text
    assert "Has the current incident resulted in injury?" in text
    assert "(source of every answer: the partner or victim-survivor)" in text
    assert "‘No’: questions 16, 17, 18, 19, 20, 21, 22, 23, 24" in text
    # The partner's details: only in these packs.
    assert "Chloe Hughes" in text and "07700 900456" in text and "12 Example Road" in text
    assert "Practitioner, social worker and MARAC" in text  # the partner's consent to share
    # The client, the children, the risk summary.
    assert "Daniel Hughes" in text and "Aged 6: Child in Need plan" in text
    assert "Escalating verbal abuse" in text and "Client admitted pushing his partner" in text
    assert "Verbal arguments; Early signs of controlling behaviour" in text
    # Agencies involved and actions.
    assert "Sam Okafor" in text and "Alex Morgan" in text
    assert "Domestic violence perpetrator programme (DVPP): referred 15 Jan 2026, made" in text
    assert "Refer the case to MARAC: open since" in text and "Refer the partner to the high-risk IDVA service" in text
    assert "Weekly check-in with the partner's support worker (Sam, by 1 Feb 2026)" in text
    assert "Sam to speak to the school" in text


def test_each_download_is_audited_with_who_which_case_and_which_pack(people, case, client_for):
    high_risk(case, people["practitioner"])
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    download(client_for, people["practitioner"], case, "marac")
    download(client_for, people["supervisor"], case, "idva")
    rows = list(AuditEvent.objects.filter(pk__gt=since, action=AuditEvent.Action.EXPORTED).order_by("pk"))
    assert [(r.actor, r.record_type, r.record_id, r.detail["pack"], r.detail["document"]) for r in rows] == [
        (people["practitioner"], "cases.case", str(case.pk), "marac", "MARAC referral summary"),
        (people["supervisor"], "cases.case", str(case.pk), "idva", "IDVA handover summary"),
    ]
    log = client_for(people["supervisor"]).get(reverse("audit-log")).content.decode()
    for title in ("MARAC referral summary", "IDVA handover summary"):
        assert f"{title}, case {case.reference}" in log


@pytest.mark.document_scan
def test_with_no_dash_yet_the_pack_and_the_risk_tab_say_so(people, case, client_for, tmp_path):
    text, _ = pdf_text(download(client_for, people["practitioner"], case, "marac"), tmp_path)
    assert "No DASH has been completed on this case yet." in text
    assert "At referral the social worker recorded: DASH completed: Yes, score 9." in text
    assert "No MARAC action has been raised on the case" in text
    assert "No consent recorded. MARAC may share information without consent where the risk is high" in text
    assert "Risk management plan Not written yet." in text
    idva, _ = pdf_text(download(client_for, people["practitioner"], case, "idva"), tmp_path, "idva.pdf")
    assert "No DASH has been completed on this case yet." in idva
    assert "check they agree to the referral before sending it" in idva
    page = client_for(people["practitioner"]).get(reverse("case-risk", args=[case.pk])).content.decode()
    assert "No DASH has been completed on this case yet." in page
    assert reverse("risk-pack-marac", args=[case.pk]) in page and reverse("risk-pack-idva", args=[case.pk]) in page

    assessment_services.assessment_complete(
        case=case,
        user=people["practitioner"],
        instrument="dash",
        stage="intake",
        assessed_on=date(2026, 1, 14),
        answers=dash(4),
    )
    page = client_for(people["practitioner"]).get(reverse("case-risk", args=[case.pk])).content.decode()
    assert "No DASH has been completed" not in page and "Latest DASH: 14 January 2026 (intake), 4 ‘yes’ answers" in page


@pytest.mark.document_scan
def test_a_safe_address_stays_out_of_the_pack(people, camden, client_for, tmp_path):
    case = in_intervention(
        make_case(
            people["worker"],
            people["practitioner"],
        )
    )
    partner = case.referral.partner
    partner.address, partner.postcode, partner.safe_address = "4 Larkspur Close, London", "N7 9QQ", True
    partner.save()
    text, _ = pdf_text(download(client_for, people["practitioner"], case, "idva"), tmp_path)
    assert "Larkspur" not in text and "N7 9QQ" not in text
    assert "Withheld: a safe address" in text and "07700 900456" in text


@pytest.mark.parametrize("code", ["marac", "idva"])
def test_only_the_practitioner_holding_the_case_and_supervisors_may_produce_it(code, people, case, client_for):
    high_risk(case, people["practitioner"])
    borough_roles = {Role.SOCIAL_WORKER, Role.BOROUGH_SPOC, Role.HOUSING_SPOC}
    for role in Role:
        if role in (Role.PRACTITIONER, Role.SUPERVISOR):
            continue
        user = UserFactory(role=role, borough=case.borough if role in borough_roles else None)
        if role == Role.SOCIAL_WORKER:
            user = people["worker"]  # the referrer, who reads the case and its partner details
        response = download(client_for, user, case, code)
        assert response.status_code == 403, role
        assert b"Chloe" not in response.content and b"%PDF" not in response.content
        risk_tab = client_for(user).get(reverse("case-risk", args=[case.pk]))
        assert b"risk/marac-referral.pdf" not in risk_tab.content and b"Risk packs" not in risk_tab.content
        response.client.logout()
    colleague = UserFactory(role=Role.PRACTITIONER)  # does not hold the case: it is not there
    assert download(client_for, colleague, case, code).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, record_id=str(case.pk)).exists()


def test_the_pack_follows_the_case_to_whoever_holds_or_covers_it(people, case, client_for):
    cover = UserFactory(role=Role.PRACTITIONER, full_name="Jo Cover")
    absence = Absence.objects.create(
        practitioner=people["practitioner"],
        cover=cover,
        starts_on=date(2020, 1, 1),
        ends_on=date(2099, 12, 31),
        set_by=people["practitioner"],
    )
    assert download(client_for, cover, case, "idva").status_code == 200  # covering: full rights
    absence.delete()
    assert download(client_for, cover, case, "idva").status_code == 404
    newcomer = UserFactory(role=Role.PRACTITIONER)
    services.case_reassign(case=case, to_practitioner=newcomer, user=people["supervisor"], reason="Leaving")
    assert download(client_for, newcomer, case, "marac").status_code == 200
    assert download(client_for, people["practitioner"], case, "marac").status_code == 404  # given up


@pytest.mark.outbound_guard
@pytest.mark.parametrize("audience, channel", [("client", "download"), ("borough", "download"), ("housing", "file")])
def test_the_guard_refuses_a_pack_to_anyone_else_whatever_the_partner_record_holds(
    audience, channel, people, camden, users
):
    # A partner with nothing recorded: no identifier could be found, yet the pack is still refused.
    case = make_case(people["worker"], people["practitioner"])
    PartnerDetails.objects.filter(referral=case.referral).update(
        first_name="", last_name="", phone="", address="", postcode=""
    )
    html = risk_pack_html(case=case, pack=PACKS["marac"], user=people["practitioner"])
    assert outbound.scan(outbound.html_parts(html), [case.referral_id]) == []  # its content alone would pass
    with pytest.raises(outbound.OutboundRefused) as refused:
        outbound.outbound_release(
            content=html,
            audience=audience,
            channel=channel,
            concerning=[case],
            user=people["practitioner"],
            label=PACKS["marac"].label,
        )
    assert refused.value.explanation() == ["a document made only for a practitioner or a supervisor to download"]
    audit = AuditEvent.objects.get(action=AuditEvent.Action.OUTBOUND_REFUSED)
    assert audit.detail["document"] == "the MARAC referral summary" and audit.detail["audience"] == audience
    assert Notification.objects.filter(kind="outbound.refused", recipient=users[Role.SUPERVISOR]).exists()


@pytest.mark.outbound_guard
def test_the_guard_releases_a_pack_to_a_practitioner_or_supervisor_but_never_by_email(people, case):
    html = risk_pack_html(case=case, pack=PACKS["idva"], user=people["practitioner"])
    for audience in ("practitioner", "supervisor"):
        facts = dict(content=html, audience=audience, concerning=[case], label=PACKS["idva"].label)
        assert outbound.outbound_release(channel="download", **facts).audience == audience
        with pytest.raises(outbound.OutboundRefused):
            outbound.outbound_release(channel="email", **facts)


def test_a_restricted_output_must_name_real_audiences():
    with pytest.raises(outbound.OutboundError):
        outbound.restricted_output("a test document", audiences={"the press"})
    assert "a test document" not in outbound.RESTRICTED_OUTPUTS


def test_the_pack_costs_the_same_queries_however_much_the_case_holds(people, case, client_for):
    client = client_for(people["practitioner"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("risk-pack-marac", args=[case.pk])).status_code == 200
        return len(captured)

    high_risk(case, people["practitioner"])
    small = queries()
    for n in range(6):
        services.onward_referral_record(
            case=case, user=people["practitioner"], service="camhs", made_on=date(2026, 1, 20)
        )
        services.disclosure_record(
            case=case,
            user=people["practitioner"],
            disclosed_on=date(2026, 1, 20),
            description=f"More {n}",
            escalate=False,
        )
        ReferredChild.objects.create(referral=case.referral, age=n + 1, plan="none")
    assert queries() == small
