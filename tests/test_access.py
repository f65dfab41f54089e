"""The one permission policy: every URL x every role gets the expected answer, and no
view exists without a policy mark. New URLs must be added to EXPECTED, or the first test
fails."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accommodation import services as accommodation_services
from assessments.services import assessment_complete
from case_documents.services import case_document_add
from case_notes.services import case_note_write
from cases import break_glass, services
from cases.models import Case
from data_protection import services as sar_services
from diary import services as diary_services
from eip import access, outbound
from eip.notifications.services import notification_send_now
from eip.notifications.tasks import notification_deliver
from eip.people.models import Absence, Borough, Role
from referrals.models import AddressChange, LateReferralAgreement, Person, PersonMerge
from tests.assessment_factories import dash
from tests.factories import BoroughFactory, UserFactory
from tests.figures import count
from tests.passkey_authenticator import make_passkey
from tests.referral_factories import make_case, make_referral

ALL = frozenset(Role)
OK, DENIED, REDIRECT, NOT_FOUND = 200, 403, 302, 404


def _only(*roles):
    return {role: (OK if role in roles else DENIED) for role in Role}


def _all(status):
    return dict.fromkeys(Role, status)


# url name -> (method, {role: expected status}, expected status when signed out)
EXPECTED = {
    # Health checks for load balancers: anyone, signed in or not; status words only.
    "health-live": ("GET", _all(OK), OK),
    "health-ready": ("GET", _all(OK), OK),
    "root": ("GET", _all(REDIRECT), REDIRECT),
    "home": ("GET", _all(OK), REDIRECT),
    "notification-list": ("GET", _all(OK), REDIRECT),
    # Marking a notification read redirects; someone else's notification is "not found".
    "notification-read": ("POST", _all(REDIRECT), REDIRECT),
    "notification-read-bulk": ("POST", _all(REDIRECT), REDIRECT),
    # Everyone chooses how they are e-mailed about the notifications their role receives.
    "notification-settings": ("GET", _all(OK), REDIRECT),
    # "Stay signed in" in the idle sign-out warning: an empty answer that refreshes the session.
    "session-keep-alive": ("POST", _all(204), REDIRECT),
    # GOV.UK Notify's delivery receipts: no session counts, only Notify's bearer token.
    "notify-delivery-receipt": ("POST", _all(401), 401),
    "borough-list": ("GET", _all(OK), REDIRECT),
    "audit-log": ("GET", _only(Role.SUPERVISOR, Role.ADMINISTRATOR), REDIRECT),
    "login": ("GET", _all(REDIRECT), OK),
    # Council sign-in is off unless configured, as here (tests/test_sso.py switches it on).
    "sso-start": ("GET", _all(NOT_FOUND), NOT_FOUND),
    "sso-callback": ("GET", _all(NOT_FOUND), NOT_FOUND),
    "two-factor-verify": ("GET", _all(OK), REDIRECT),
    "two-factor-setup": ("GET", _all(OK), REDIRECT),
    # Passkeys: the browser script's JSON steps. Adding one is open at first enrolment (these
    # people have no second factor yet); the other steps refuse without a started ceremony.
    "passkey-add-begin": ("POST", _all(OK), REDIRECT),
    "passkey-add-complete": ("POST", _all(400), REDIRECT),
    "passkey-sign-in-begin": ("POST", _all(400), REDIRECT),
    "passkey-sign-in-complete": ("POST", _all(400), REDIRECT),
    # Each person's own passkeys (another person's is "not found", tests/test_passkeys.py).
    "passkey-list": ("GET", _all(OK), REDIRECT),
    "passkey-name": ("GET", _all(OK), REDIRECT),
    "passkey-remove": ("GET", _all(OK), REDIRECT),
    "logout": ("POST", _all(REDIRECT), REDIRECT),
    "password_change": ("GET", _all(OK), REDIRECT),
    "password_change_done": ("GET", _all(OK), REDIRECT),
    "password_reset": ("GET", _all(OK), OK),
    "password_reset_done": ("GET", _all(OK), OK),
    "password_reset_confirm": ("GET", _all(OK), OK),
    "password_reset_complete": ("GET", _all(OK), OK),
    "referral-list": (
        "GET",
        _only(Role.SOCIAL_WORKER, Role.BOROUGH_SPOC, Role.PRACTITIONER, Role.SUPERVISOR),
        REDIRECT,
    ),
    "referral-new": ("GET", _only(Role.SOCIAL_WORKER), REDIRECT),
    # A Camden referral made by users[SOCIAL_WORKER]: its referrer, Camden's SPOC and the
    # practitioners and supervisors see it.
    "referral-detail": (
        "GET",
        _only(Role.SOCIAL_WORKER, Role.BOROUGH_SPOC, Role.PRACTITIONER, Role.SUPERVISOR),
        REDIRECT,
    ),
    # Submitted, so no longer editable: the referrer is told it is not there.
    "referral-edit": ("GET", {**_only(), Role.SOCIAL_WORKER: NOT_FOUND}, REDIRECT),
    # Each question page of the form in steps (the walk asks for the partner's page): the same.
    "referral-step": ("GET", {**_only(), Role.SOCIAL_WORKER: NOT_FOUND}, REDIRECT),
    # After sending and before a decision, the referring social worker may change or withdraw it.
    "referral-amend": ("GET", _only(Role.SOCIAL_WORKER), REDIRECT),
    "referral-amend-step": ("GET", _only(Role.SOCIAL_WORKER), REDIRECT),
    "referral-withdraw": ("GET", _only(Role.SOCIAL_WORKER), REDIRECT),
    "referral-acknowledge": ("GET", _only(Role.PRACTITIONER), REDIRECT),
    "referral-request-information": ("GET", _only(Role.PRACTITIONER), REDIRECT),
    "referral-decline": ("GET", _only(Role.PRACTITIONER), REDIRECT),
    "referral-late-agreement": ("GET", _only(Role.PRACTITIONER), REDIRECT),
    "referral-person": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT}, REDIRECT),
    # Accepting is confirmed on its own page (which asks who the client is, if no one is linked).
    "referral-accept": ("GET", _only(Role.PRACTITIONER), REDIRECT),
    "referral-agreement-document": ("GET", _only(Role.PRACTITIONER), REDIRECT),
    # Deciding a safe-address change: practitioners and supervisors (the change itself is refused
    # to its requester; the record's answer is a redirect with that message).
    "referral-address-change": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT, Role.SUPERVISOR: REDIRECT}, REDIRECT),
}
EXPECTED.update(
    {
        # People and merging two records of one person: practitioners and supervisors. A proposal
        # or decision with nothing chosen is answered with the page and its error (400).
        "person-detail": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "person-merge-propose": ("POST", {**_only(), Role.PRACTITIONER: 400, Role.SUPERVISOR: 400}, REDIRECT),
        "person-merge-list": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "person-merge-detail": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "person-merge-decide": ("POST", {**_only(), Role.SUPERVISOR: 400}, REDIRECT),
        # Intake duty: practitioners (their own) and supervisors (anyone's) see who is on duty.
        "intake-duty": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
    }
)
CASE_READERS = (Role.SOCIAL_WORKER, Role.BOROUGH_SPOC, Role.PRACTITIONER, Role.SUPERVISOR)
for _name in (
    "case-list",
    "case-detail",
    "case-plan",
    "case-consent",
    "case-sessions",
    "case-meetings",
    "case-risk",
    "case-onward",
    "case-close",
    "consultation-invitation",
):
    EXPECTED[_name] = ("GET", _only(*CASE_READERS), REDIRECT)
ASSESSMENT_READERS = (Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.SUPERVISOR)
EXPECTED["case-assessments"] = ("GET", _only(*ASSESSMENT_READERS), REDIRECT)
EXPECTED["assessment-detail"] = ("GET", _only(*ASSESSMENT_READERS), REDIRECT)
# The records use a DASH, which the referring social worker may also record and correct.
EXPECTED["assessment-new"] = ("GET", _only(Role.SOCIAL_WORKER, Role.PRACTITIONER), REDIRECT)
EXPECTED["assessment-correct"] = ("GET", _only(Role.SOCIAL_WORKER, Role.PRACTITIONER), REDIRECT)
EXPECTED.update(
    {
        "case-accommodation": ("GET", _only(Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "housing-list": ("GET", _only(Role.HOUSING_SPOC), REDIRECT),
        "housing-request": ("GET", _only(Role.HOUSING_SPOC), REDIRECT),
        "finance-overview": ("GET", _only(Role.FINANCE, Role.PROGRAMME_MANAGER, Role.SUPERVISOR), REDIRECT),
        "finance-placement": ("GET", _only(Role.FINANCE), REDIRECT),
        "invoice-pay": ("POST", {**_only(), Role.FINANCE: REDIRECT}, REDIRECT),
        "invoices-unpaid": ("GET", _only(Role.FINANCE), REDIRECT),
        "finance-month-csv": ("GET", _only(Role.FINANCE), REDIRECT),
        "fund-statement-pdf": ("GET", _only(Role.FINANCE, Role.PROGRAMME_MANAGER, Role.SUPERVISOR), REDIRECT),
        "agreement-pdf": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR, Role.HOUSING_SPOC), REDIRECT),
    }
)
EXPECTED.update(
    {
        "monitoring-report": ("GET", _only(Role.PROGRAMME_MANAGER, Role.SUPERVISOR), REDIRECT),
        # The evaluator gets the anonymised export and nothing else.
        "evaluation-export": ("GET", _only(Role.EVALUATOR), REDIRECT),
        "evaluation-export-referrals": ("GET", _only(Role.EVALUATOR), REDIRECT),
        "evaluation-export-assessments": ("GET", _only(Role.EVALUATOR), REDIRECT),
        "evaluation-export-events": ("GET", _only(Role.EVALUATOR), REDIRECT),
        "evaluation-export-case-weeks": ("GET", _only(Role.EVALUATOR), REDIRECT),
        "evaluation-export-partner-outcomes": ("GET", _only(Role.EVALUATOR), REDIRECT),
    }
)
EXPECTED["invitation-send"] = ("POST", {**_only(), Role.PRACTITIONER: REDIRECT}, REDIRECT)
EXPECTED.update(
    {
        # Safety planning and partner support: never the borough SPOC.
        "case-partner": ("GET", _only(Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        # The partner's own account of their safety: not the practitioner, who works with the client.
        "case-partner-outcomes": ("GET", _only(Role.SOCIAL_WORKER, Role.SUPERVISOR), REDIRECT),
        # What the reports will miss for a case: the practitioner fills the gaps, the supervisor checks.
        "case-data-quality": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "case-accessibility": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        # The emergency-access form says nothing about the case; granting needs a reason (tested apart).
        # Social workers only: a borough SPOC already sees every case in their borough.
        "case-break-glass": ("GET", _only(Role.SOCIAL_WORKER), REDIRECT),
        # Supervisors approve emergency access beyond the limit and review every grant.
        "emergency-access-queue": ("GET", _only(Role.SUPERVISOR), REDIRECT),
        "emergency-access-detail": ("GET", _only(Role.SUPERVISOR), REDIRECT),
        # The social worker obtains consent, so may record a withdrawal too.
        "consent-withdraw": ("GET", _only(Role.SOCIAL_WORKER, Role.PRACTITIONER), REDIRECT),
        "risk-action-done": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT}, REDIRECT),
        "onward-update": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT}, REDIRECT),
        "case-exit": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT}, REDIRECT),
    }
)
EXPECTED.update(
    {
        # The diary: a practitioner's own, a supervisor's of the team. Planning, moving, cancelling
        # and recording as held: practitioners. The invitation: whoever reads the case.
        "diary": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "appointment-schedule": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        "appointment-reschedule": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        "appointment-cancel": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        "appointment-held": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        "appointment-invitation": ("GET", _only(*CASE_READERS), REDIRECT),
        # The client's session reminders: practitioners start and stop them.
        "session-reminders": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        # GOV.UK Notify's received texts (a client's STOP): no session counts, only Notify's token.
        "notify-received-text": ("POST", _all(401), 401),
    }
)
EXPECTED.update(
    {
        # Subject access requests: practitioners prepare, a supervisor reviews, either records the
        # release; never anyone else (the record here is approved, so the practitioner may download it).
        "case-sar": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "sar-prepare": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        "sar-review": ("GET", _only(Role.SUPERVISOR), REDIRECT),
        "sar-release": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT, Role.SUPERVISOR: REDIRECT}, REDIRECT),
        "sar-download": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
    }
)
EXPECTED.update(
    {
        # Case notes: the SPOC reads those not about the partner, the social worker those shared with them.
        "case-notes": (
            "GET",
            _only(Role.SOCIAL_WORKER, Role.BOROUGH_SPOC, Role.PRACTITIONER, Role.SUPERVISOR),
            REDIRECT,
        ),
        "case-note-correct": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        # Case documents: the team holding the case file and the borough SPOC (never a document about
        # the partner); adding, withdrawing and marking as partner information: the practitioner.
        "case-documents": ("GET", _only(Role.BOROUGH_SPOC, Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "case-document-download": ("GET", _only(Role.BOROUGH_SPOC, Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "case-document-withdraw": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        "case-document-restrict": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT}, REDIRECT),
        # The weekly summary: the referring social worker, the practitioner holding the case and
        # supervisors; never the borough SPOC.
        "case-weekly-summary": ("GET", _only(Role.SOCIAL_WORKER, Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
    }
)
EXPECTED.update(
    {
        # Reopening a closed case: the practitioner who held it (the table's closed case).
        "case-reopen": ("GET", _only(Role.PRACTITIONER), REDIRECT),
        # Reassigning one case or a caseload: supervisors allocate the work.
        "case-reassign": ("GET", _only(Role.SUPERVISOR), REDIRECT),
        "caseload-reassign": ("GET", _only(Role.SUPERVISOR), REDIRECT),
        # Away and cover: a practitioner their own, a supervisor anyone's.
        "absence-list": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "absence-end": ("POST", {**_only(), Role.PRACTITIONER: REDIRECT, Role.SUPERVISOR: REDIRECT}, REDIRECT),
    }
)
# The MARAC referral and IDVA handover summaries carry the partner's details by design: the
# practitioner holding the case and supervisors only (a practitioner not holding it: not found).
EXPECTED.update(
    {
        "risk-pack-marac": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
        "risk-pack-idva": ("GET", _only(Role.PRACTITIONER, Role.SUPERVISOR), REDIRECT),
    }
)

# The personal-data marker of the table: pages that show personal data about the people referred
# (clients, partners, children), with the roles they show it to (ALL: every role the table lets
# in). Each view writes an audit row (VIEWED; EXPORTED for downloads), lists one row per page
# with the ids shown; test_every_page_showing_personal_data_writes_an_audit_row walks them.
SHOWS_PERSONAL_DATA = {
    **dict.fromkeys(
        [
            "referral-list",
            "referral-detail",
            "referral-edit",
            "referral-step",
            "referral-acknowledge",
            "referral-request-information",
            "referral-decline",
            "referral-late-agreement",
            "referral-agreement-document",
            "referral-accept",
            "referral-amend",
            "referral-amend-step",
            "referral-withdraw",
            "case-list",
            "case-detail",
            "case-accessibility",
            "case-plan",
            "case-consent",
            "consent-withdraw",
            "case-sessions",
            "case-meetings",
            "case-risk",
            "case-onward",
            "case-partner",
            "case-partner-outcomes",
            "case-data-quality",
            "case-close",
            "consultation-invitation",
            "case-assessments",
            "assessment-detail",
            "assessment-new",
            "assessment-correct",
            "case-accommodation",
            "housing-list",
            "housing-request",
            "finance-overview",
            "finance-placement",
            "invoices-unpaid",
            "finance-month-csv",
            "agreement-pdf",
            "case-sar",
            "case-notes",
            "case-note-correct",
            "case-documents",
            "case-document-download",
            "case-document-withdraw",
            "case-weekly-summary",
            "sar-prepare",
            "sar-review",
            "sar-download",
            # A grant's reason is written by the person who broke the glass and may name the client.
            "emergency-access-queue",
            "emergency-access-detail",
            "person-detail",
            "person-merge-list",
            "person-merge-detail",
            # Pseudonymous, but still about people.
            "evaluation-export-referrals",
            "evaluation-export-assessments",
            "evaluation-export-events",
            "evaluation-export-case-weeks",
            "evaluation-export-partner-outcomes",
            "diary",
            "appointment-schedule",
            "appointment-reschedule",
            "appointment-cancel",
            "appointment-held",
            "appointment-invitation",
            "session-reminders",
            "case-reopen",
            "case-reassign",
            "caseload-reassign",
            "risk-pack-marac",
            "risk-pack-idva",
        ],
        ALL,
    ),
    # Only a social worker's home lists people: their latest referrals, by the client's name.
    "home": frozenset({Role.SOCIAL_WORKER}),
}
# Every other URL shows none (a new URL goes in one or the other).
NO_PERSONAL_DATA = {
    **dict.fromkeys(
        ["root", "login", "logout", "two-factor-verify", "two-factor-setup", "sso-start", "sso-callback"],
        "signing in and out",
    ),
    **dict.fromkeys(["password_change", "password_change_done", "password_reset", "password_reset_done"], "passwords"),
    **dict.fromkeys(["password_reset_confirm", "password_reset_complete"], "passwords"),
    **dict.fromkeys(["health-live", "health-ready"], "status words only, for load balancers"),
    **dict.fromkeys(
        [
            "passkey-add-begin",
            "passkey-add-complete",
            "passkey-sign-in-begin",
            "passkey-sign-in-complete",
            "passkey-list",
            "passkey-name",
            "passkey-remove",
        ],
        "the person's own passkeys: names they chose and dates",
    ),
    "notification-list": "messages name records by reference only",
    "notification-settings": "the user's own choices about e-mail",
    "session-keep-alive": "an empty answer",
    "notify-delivery-receipt": "status words only, for GOV.UK Notify",
    "notify-received-text": "status words only, for GOV.UK Notify",
    "audit-log": "references and staff only; it is the trail itself",
    "borough-list": "boroughs and their staff contacts",
    "intake-duty": "practitioners' names and who is on duty: staff, not clients",
    "absence-list": "practitioners' names and the days they are away: staff, not clients",
    "referral-new": "an empty form",
    "case-break-glass": "says nothing about the case",
    "monitoring-report": "aggregates",
    "fund-statement-pdf": "figures by borough only",
    "evaluation-export": "the download page",
    **dict.fromkeys(
        [
            "notification-read",
            "notification-read-bulk",
            "referral-person",
            "person-merge-propose",
            "person-merge-decide",
            "referral-address-change",
            "case-exit",
            "invitation-send",
            "risk-action-done",
            "onward-update",
            "invoice-pay",
            "sar-release",
            "absence-end",
            "case-document-restrict",
        ],
        "an action: it redirects to a page that is audited",
    ),
}

# Record pages asked for a referral from another borough (Sutton): only the roles that see
# every referral get it; everyone else gets "not found" or "forbidden", never data.
OTHER_BOROUGH = {
    "referral-detail": {
        **_only(Role.PRACTITIONER, Role.SUPERVISOR),
        Role.SOCIAL_WORKER: NOT_FOUND,
        Role.BOROUGH_SPOC: NOT_FOUND,
    },
    "referral-edit": {**_only(), Role.SOCIAL_WORKER: NOT_FOUND},
    "referral-step": {**_only(), Role.SOCIAL_WORKER: NOT_FOUND},
    "case-detail": {
        **_only(Role.PRACTITIONER, Role.SUPERVISOR),
        Role.SOCIAL_WORKER: NOT_FOUND,
        Role.BOROUGH_SPOC: NOT_FOUND,
    },
    "case-partner": {**_only(Role.PRACTITIONER, Role.SUPERVISOR), Role.SOCIAL_WORKER: NOT_FOUND},
    "case-partner-outcomes": {**_only(Role.SUPERVISOR), Role.SOCIAL_WORKER: NOT_FOUND},
    "case-plan": {
        **_only(Role.PRACTITIONER, Role.SUPERVISOR),
        Role.SOCIAL_WORKER: NOT_FOUND,
        Role.BOROUGH_SPOC: NOT_FOUND,
    },
    "case-notes": {
        **_only(Role.PRACTITIONER, Role.SUPERVISOR),
        Role.SOCIAL_WORKER: NOT_FOUND,
        Role.BOROUGH_SPOC: NOT_FOUND,
    },
    "case-documents": {**_only(Role.PRACTITIONER, Role.SUPERVISOR), Role.BOROUGH_SPOC: NOT_FOUND},
    "case-weekly-summary": {**_only(Role.PRACTITIONER, Role.SUPERVISOR), Role.SOCIAL_WORKER: NOT_FOUND},
}


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


def _app_patterns():
    return [(ns, p) for ns, p in _patterns() if ns != "admin"]


def test_every_url_is_in_the_table():
    names = {p.name for _, p in _app_patterns()}
    assert names == set(EXPECTED), "add new URLs to EXPECTED with the answer for every role"


def test_every_view_declares_its_policy():
    for _, pattern in _app_patterns():
        view = getattr(pattern.callback, "view_class", pattern.callback)
        assert hasattr(view, "policy_action"), f"{pattern.name} has no access.policy mark"
        action = view.policy_action
        assert action is None or action in access.ROLE_RULES, pattern.name


@pytest.fixture(scope="module")
def walk(django_db_setup, django_db_blocker):
    """(users, records) of the URL x role walk: one user per role (borough roles in Camden) and a
    record of every kind, built once per test module rather than once per URL. They are built in
    a transaction held open until the module's last test; each test runs in a savepoint inside it
    (pytest-django's `db`, as for any test), so whatever one test changes is rolled back before the
    next, and everything is rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # as Django's TestCase marks its own: durable blocks may nest in it
        outer.__enter__()
        try:
            BoroughFactory(name="Camden", code="camden")
            sutton = BoroughFactory(name="Sutton", code="sutton")
            users = {role: UserFactory(role=role, full_name=f"{role.label} One") for role in Role}
            records = _walk_records(users, sutton)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield users, records
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def records(users, sutton):
    """The walk's records for one test, on the test's own users (modules that plant things on them)."""
    return _walk_records(users, sutton)


def _walk_records(users, sutton):
    camden_referral = make_referral(users[Role.SOCIAL_WORKER])
    camden_referral.outside_window = True
    camden_referral.save()
    agreement = LateReferralAgreement.objects.create(
        referral=camden_referral,
        party="delivery_partner",
        agreed_by="A Person",
        agreed_on=date(2021, 1, 4),
        document=SimpleUploadedFile("a.pdf", b"%PDF-1.4 test"),
        recorded_by=users[Role.PRACTITIONER],
    )
    sutton_worker = UserFactory(role=Role.SOCIAL_WORKER, borough=sutton)
    practitioner = users[Role.PRACTITIONER]
    case = make_case(users[Role.SOCIAL_WORKER], practitioner)
    consultation = services.consultation_schedule(
        case=case, user=practitioner, scheduled_at=timezone.now(), modality="video", attendees="SW"
    )
    consent = services.consent_record(
        case=case,
        user=practitioner,
        party="client",
        given_on=date(2026, 1, 5),
        method="written",
        obtained_by="SW",
        sharing="Practitioner and social worker",
    )
    services.risk_actions_raise(case=case, user=practitioner, reason="Test")
    onward = services.onward_referral_record(case=case, user=practitioner, service="dvpp", made_on=date(2026, 1, 5))
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 5))
    case.refresh_from_db()
    assessment = assessment_complete(
        case=case,
        user=practitioner,
        instrument="dash",
        stage="intake",
        assessed_on=date(2026, 1, 6),
        answers=dash(2),
    )
    services.consent_record(
        case=case,
        user=practitioner,
        party="partner",
        given_on=date(2026, 1, 5),
        method="written",
        obtained_by="SW",
        sharing="Practitioner and social worker",
    )
    accommodation = accommodation_services.accommodation_request(
        case=case,
        user=practitioner,
        needed_from=date(2026, 2, 1),
        reason="Reason",
        risks_and_mitigation="Risks",
        scenario_planning="Plan",
        housing_options_explained=True,
        preferred_area="North",
        exclusion_areas="NW1",
    )
    placement = accommodation_services.placement_propose(
        request=accommodation,
        user=users[Role.HOUSING_SPOC],
        provider="Hotel",
        kind="hotel_bnb",
        address="1 Road",
        nightly_rate=Decimal("60"),
        fixed_amount=None,
        start_on=date(2026, 2, 1),
        planned_end_on=date(2026, 2, 8),
        distance_miles=Decimal("3"),
        out_of_borough=False,
    )
    placement = accommodation_services.placement_decide(placement=placement, user=users[Role.FINANCE], approve=True)
    invoice = accommodation_services.invoice_record(
        placement=placement,
        user=users[Role.FINANCE],
        reference="INV-1",
        amount=Decimal("420"),
        received_on=date(2026, 2, 9),
    )
    emergency_access = break_glass.emergency_access_request(
        case_number=case.pk,
        user=UserFactory(role=Role.SOCIAL_WORKER, borough=case.borough),
        reason="Police called about the family tonight",
    )
    sar = sar_services.subject_access_request_prepare(case=case, user=practitioner, received_on=timezone.localdate())
    sar = sar_services.subject_access_request_review(sar=sar, user=users[Role.SUPERVISOR], approve=True, notes="")
    note = case_note_write(
        case=case,
        user=practitioner,
        contact_at=timezone.now(),
        contacted="client",
        method="phone",
        text="Phoned Daniel to confirm Thursday's session.",
    )
    document = case_document_add(
        case=case,
        user=practitioner,
        category="correspondence",
        title="Letter from the GP",
        file=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 test"),
    )
    partner = camden_referral.partner
    partner.safe_address = True
    partner.save()
    address_change = AddressChange.objects.create(partner=partner, address="2 New Road", requested_by=sutton_worker)
    appointment = diary_services.appointment_schedule(
        case=case,
        user=practitioner,
        kind="meeting",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=45,
        modality="video",
        place="Video link sent by text",
    )
    closed_case = make_case(users[Role.SOCIAL_WORKER], practitioner)
    Case.objects.filter(pk=closed_case.pk).update(
        stage=Case.Stage.CLOSED, closure_reason="completed", closed_at=timezone.now()
    )
    absence = Absence.objects.create(
        practitioner=practitioner,
        cover=UserFactory(role=Role.PRACTITIONER),
        starts_on=timezone.localdate() + timedelta(days=7),
        ends_on=timezone.localdate() + timedelta(days=9),
        set_by=practitioner,
    )
    return {
        "closed_case": closed_case,
        "absence": absence,
        "appointment": appointment,
        "address_change": address_change,
        "accommodation": accommodation,
        "placement": placement,
        "invoice": invoice,
        "assessment": assessment,
        "referral": camden_referral,
        "agreement": agreement,
        "other_referral": make_referral(sutton_worker),
        "case": case,
        "other_case": make_case(sutton_worker, practitioner),
        "consultation": consultation,
        "consent": consent,
        "onward": onward,
        "risk_action": case.risk_actions.first(),
        "sar": sar,
        "emergency_access": emergency_access,
        "note": note,
        "document": document,
    }


CASE_RECORD_ARGS = {
    "consultation-invitation": "consultation",
    "consent-withdraw": "consent",
    "risk-action-done": "risk_action",
    "onward-update": "onward",
    "assessment-detail": "assessment",
    "assessment-correct": "assessment",
    "sar-review": "sar",
    "sar-release": "sar",
    "sar-download": "sar",
    "case-note-correct": "note",
    "case-document-download": "document",
    "case-document-withdraw": "document",
    "case-document-restrict": "document",
}


ACCOMMODATION_URLS = {
    "housing-request": ("accommodation",),
    "finance-placement": ("placement",),
    "invoice-pay": ("placement", "invoice"),
    "agreement-pdf": ("placement",),
}
APPOINTMENT_URLS = dict.fromkeys(
    ["appointment-reschedule", "appointment-cancel", "appointment-held", "appointment-invitation"], ("appointment",)
)
RECORD_URLS = {
    **ACCOMMODATION_URLS,
    **APPOINTMENT_URLS,
    "session-reminders": ("case",),
    "emergency-access-detail": ("emergency_access",),
    "case-reopen": ("closed_case",),
    "absence-end": ("absence",),
}


def _url_for(name, user, other_user, records=None, other_borough=False):
    if name in RECORD_URLS:
        return reverse(name, args=[records[key].pk for key in RECORD_URLS[name]])
    if (
        name.startswith(
            (
                "case-",
                "consultation-",
                "consent-",
                "meeting-",
                "risk-",
                "onward-",
                "invitation-",
                "assessment-",
                "sar-",
            )
        )
        and name != "case-list"
    ):
        case = records["other_case" if other_borough else "case"]
        extra = [records[CASE_RECORD_ARGS[name]].pk] if name in CASE_RECORD_ARGS else []
        if name == "invitation-send":
            extra = ["meeting"]
        if name == "assessment-new":
            extra = ["dash", "mid"]
        return reverse(name, args=[case.pk, *extra])
    if name.startswith("referral-") and name not in ("referral-list", "referral-new"):
        referral = records["other_referral" if other_borough else "referral"]
        if name == "referral-agreement-document":
            return reverse(name, args=[referral.pk, records["agreement"].pk])
        if name == "referral-address-change":
            return reverse(name, args=[referral.pk, records["address_change"].pk])
        if name in ("referral-step", "referral-amend-step"):
            return reverse(name, args=[referral.pk, "partner"])
        return reverse(name, args=[referral.pk])
    if name in ("person-detail", "person-merge-propose"):
        return reverse(name, args=[records["case"].person_id])
    if name in ("person-merge-detail", "person-merge-decide"):
        person = records["case"].person
        other = Person.objects.create(first_name="Dan", last_name="Hughes", borough=person.borough)
        merge = PersonMerge.objects.create(kept=person, merged=other, reason="Same", proposed_by=other_user)
        return reverse(name, args=[merge.pk])
    if name == "notification-read":
        notification = notification_send_now(
            recipients=[user or other_user],
            kind="test",
            key=f"test-{name}",
            message="Referral EIP-2026-0001 needs acknowledging",
        )[0]
        notification_deliver(notification.pk)
        return reverse(name, args=[notification.pk])
    if name in ("passkey-name", "passkey-remove"):  # the person's own passkey
        return reverse(name, args=[make_passkey(user or other_user).pk])
    if name == "caseload-reassign":  # with the caseload chosen: the page that lists clients
        return f"{reverse(name)}?practitioner={records['case'].practitioner_id}"
    if name == "password_reset_confirm":
        return reverse(name, args=["MQ", "not-a-token"])
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_url_answers_each_role_as_expected(name, walk, client):
    users, records = walk
    method, by_role, signed_out = EXPECTED[name]
    for role in Role:
        user = users[role]
        client.force_login(user, backend="eip.people.backends.AccountBackend")
        url = _url_for(name, user, users[Role.PRACTITIONER], records)
        response = getattr(client, method.lower())(url)
        assert response.status_code == by_role[role], (name, role, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if outbound.is_output(response):  # a file, not a page: it must have come through the guard
            assert outbound.is_released(response), (name, role)
            count("outbound_release")
        if response.status_code in (DENIED, NOT_FOUND):
            assert b"Daniel" not in body and b"Chloe" not in body
        if role not in (Role.PRACTITIONER, Role.SUPERVISOR, Role.SOCIAL_WORKER):
            assert b"Chloe" not in body  # partner details only to those three
        client.logout()
        count("url_role")
    url = _url_for(name, None, users[Role.PRACTITIONER], records)
    response = getattr(client, method.lower())(url)
    assert response.status_code == signed_out, (name, "signed out", response.status_code)
    if signed_out == REDIRECT and name not in ("root", "logout"):
        assert response.url.startswith(reverse("login"))
    count("url_role")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OTHER_BOROUGH))
def test_records_from_another_borough_are_refused(name, walk, client):
    users, records = walk
    for role in Role:
        client.force_login(users[role], backend="eip.people.backends.AccountBackend")
        response = client.get(_url_for(name, users[role], None, records, other_borough=True))
        assert response.status_code == OTHER_BOROUGH[name][role], (name, role, response.status_code)
        if response.status_code != OK:
            assert b"Daniel" not in response.content and b"Chloe" not in response.content
        client.logout()
        count("other_borough")


@pytest.mark.django_db
def test_someone_elses_notification_is_not_found(users, client_for):
    notification = notification_send_now(
        recipients=[users[Role.PRACTITIONER]],
        kind="test",
        key="k",
        message="Referral EIP-1",
    )[0]
    notification_deliver(notification.pk)
    client = client_for(users[Role.SUPERVISOR])
    response = client.post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_admin_site_is_for_administrators_only(users, client_for):
    for role in Role:
        response = client_for(users[role]).get("/admin/")
        expected = OK if role == Role.ADMINISTRATOR else REDIRECT
        assert response.status_code == expected, role
        if expected == REDIRECT:
            assert "/admin/login/" in response.url
        response.client.logout()


@pytest.mark.django_db
def test_denied_pages_carry_no_data(users, client_for, camden):
    response = client_for(users[Role.SOCIAL_WORKER]).get(reverse("audit-log"))
    assert response.status_code == 403
    assert users[Role.SUPERVISOR].email.encode() not in response.content


@pytest.mark.django_db
def test_a_model_wide_permission_does_not_widen_object_access(users, camden, sutton):
    """django-guardian would count a model-wide grant as access to every object unless
    asked not to; the policy's granted() never does."""
    worker = users[Role.SOCIAL_WORKER]
    worker.user_permissions.add(Permission.objects.get(codename="view_borough"))
    assign_perm("people.view_borough", worker, camden)
    visible = access.granted(worker, "people.view_borough", Borough.objects.all())
    assert list(visible) == [camden]
    assert access.has_grant(worker, "people.view_borough", camden)
    assert not access.has_grant(worker, "people.view_borough", sutton)


@pytest.mark.django_db
def test_a_superuser_flag_does_not_grant_object_access(users, camden):
    admin = users[Role.ADMINISTRATOR]
    assert admin.is_superuser
    assert not access.has_grant(admin, "people.view_borough", camden)
    assert list(access.granted(admin, "people.view_borough", Borough.objects.all())) == []


@pytest.mark.django_db
def test_the_records_granted_are_exactly_those_django_guardian_names(users, camden, sutton):
    """granted() builds its own query for models with their own grant table: it answers what
    guardian's get_objects_for_user() answers (no model-wide grant, no superuser, no groups),
    for each permission, for whole and narrowed lists, first call and later ones alike."""
    from guardian.shortcuts import get_objects_for_user

    from referrals.models import Referral

    worker = users[Role.SOCIAL_WORKER]
    other = UserFactory(role=Role.SOCIAL_WORKER, borough=sutton)
    mine = [make_referral(worker) for _ in range(3)]
    theirs = make_referral(other)
    case = make_case(worker, users[Role.PRACTITIONER])
    make_case(other, users[Role.PRACTITIONER])
    access.revoke(worker, "referrals.change_referral", mine[0])
    worker.user_permissions.add(Permission.objects.get(codename="view_referral"))  # model-wide: never counts
    asked = [
        ("referrals.view_referral", Referral.objects.all()),
        ("referrals.change_referral", Referral.objects.all()),
        ("referrals.view_referral", Referral.objects.filter(pk__in=[mine[1].pk, theirs.pk])),
        ("cases.view_case", Case.objects.all()),
    ]
    for user in (worker, other, users[Role.ADMINISTRATOR], users[Role.PRACTITIONER]):
        for perm, records in asked:
            guardian = set(
                get_objects_for_user(
                    user, perm, klass=records, accept_global_perms=False, with_superuser=False, use_groups=False
                )
            )
            for _ in range(2):
                assert set(access.granted(user, perm, records)) == guardian, (user, perm)
    assert mine[0] not in access.granted(worker, "referrals.change_referral", Referral.objects.all())
    assert set(mine) <= set(access.granted(worker, "referrals.view_referral", Referral.objects.all()))
    assert theirs not in access.granted(worker, "referrals.view_referral", Referral.objects.all())
    assert list(access.granted(worker, "cases.view_case", Case.objects.all())) == [case]
    assert access.has_grant(worker, "referrals.view_referral", mine[0])
    assert not access.has_grant(worker, "referrals.view_referral", theirs)
    # A permission of another model is a programming error, every time it is asked.
    for _ in range(2):
        with pytest.raises(Exception, match="differs"):
            access.granted(worker, "cases.view_case", Referral.objects.all())


@pytest.mark.django_db
def test_inactive_and_roleless_users_are_refused(users):
    user = users[Role.SUPERVISOR]
    assert access.allowed(user, "audit.view")
    user.is_active = False
    assert not access.allowed(user, "audit.view")
    user.is_active, user.role = True, ""
    assert not access.allowed(user, "audit.view")


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        access.allowed(object(), "case.teleport")


def test_the_table_says_which_pages_show_personal_data():
    marked = set(SHOWS_PERSONAL_DATA) | set(NO_PERSONAL_DATA)
    assert not set(SHOWS_PERSONAL_DATA) & set(NO_PERSONAL_DATA)
    assert marked == set(EXPECTED), (
        "say in SHOWS_PERSONAL_DATA or NO_PERSONAL_DATA whether the page shows personal data"
    )


@pytest.mark.django_db
@pytest.mark.probe(6)
@pytest.mark.parametrize("name", sorted(SHOWS_PERSONAL_DATA))
def test_every_page_showing_personal_data_writes_an_audit_row(name, walk, client):
    users, records = walk
    from eip.audit.models import AuditEvent

    method, by_role, _ = EXPECTED[name]
    assert method == "GET", name
    roles = [role for role in SHOWS_PERSONAL_DATA[name] if by_role[role] == OK]
    if name in ("referral-edit", "referral-step"):
        # The table's referral is sent, so no one may edit it: the walk asks for a draft instead.
        roles = [Role.SOCIAL_WORKER]
        draft = make_referral(users[Role.SOCIAL_WORKER], submit=False)
    assert roles, f"{name} is marked as showing personal data but no role opens it"
    for role in roles:
        user = users[role]
        client.force_login(user, backend="eip.people.backends.AccountBackend")
        url = (
            reverse(name, args=[draft.pk, *(["partner"] if name == "referral-step" else [])])
            if name in ("referral-edit", "referral-step")
            else _url_for(name, user, users[Role.PRACTITIONER], records)
        )
        since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(url)
        assert response.status_code == OK, (name, role, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)
        rows = AuditEvent.objects.filter(
            pk__gt=since, actor=user, action__in=[AuditEvent.Action.VIEWED, AuditEvent.Action.EXPORTED]
        )
        assert rows.exists(), f"{name} shows personal data to {role.label} and writes no audit row"
        client.logout()
