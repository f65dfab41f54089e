"""Intake duty: new referrals go to the practitioners on duty, not to every practitioner."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from eip.notifications.models import Notification
from eip.people.models import Role
from referrals import services
from referrals.duty import intake_duty_recipients, intake_duty_set
from referrals.models import IntakeDuty
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db


def told(kind="referral.new"):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


@pytest.fixture
def people(camden):
    supervisor = UserFactory(role=Role.SUPERVISOR, email="sup@eip.test")
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "on": UserFactory(role=Role.PRACTITIONER, email="on@eip.test"),
        "off": UserFactory(role=Role.PRACTITIONER, email="off@eip.test"),
        "supervisor": supervisor,
    }


def test_a_new_referral_goes_to_the_practitioners_on_duty_only(people):
    intake_duty_set(practitioner=people["on"], on_duty=True, user=people["supervisor"])
    make_referral(people["worker"])
    assert told() == {"on@eip.test"}
    assert told("referral.acknowledgement_due") == {"on@eip.test"}


def test_with_nobody_on_duty_the_supervisors_are_told_and_warned_on_their_home_page(people, client_for):
    make_referral(people["worker"])
    assert told() == {"sup@eip.test"}
    home = client_for(people["supervisor"]).get(reverse("home")).content.decode()
    assert 'data-testid="nobody-on-duty"' in home
    intake_duty_set(practitioner=people["off"], on_duty=True, user=people["off"])
    home = client_for(people["supervisor"]).get(reverse("home")).content.decode()
    assert 'data-testid="nobody-on-duty"' not in home


def test_with_no_supervisor_either_every_practitioner_is_told(people):
    people["supervisor"].is_active = False
    people["supervisor"].save()
    make_referral(people["worker"])
    assert told() == {"on@eip.test", "off@eip.test"}


def test_a_change_after_acknowledgement_goes_to_the_practitioner_who_acknowledged(people):
    intake_duty_set(practitioner=people["on"], on_duty=True, user=people["on"])
    referral = make_referral(people["worker"])
    services.referral_acknowledge(referral=referral, user=people["off"], consultation_timeline="This week")
    services.referral_request_information(referral=referral, user=people["off"], request="Any children?")
    services.referral_submit(referral=referral, user=people["worker"])
    assert told("referral.more_info_given") == {"off@eip.test"}


def test_a_practitioner_sets_their_own_duty_and_a_supervisor_sets_anyones(people, client_for):
    on, off = people["on"], people["off"]
    page = client_for(off)
    assert page.post(reverse("intake-duty"), {"practitioner": off.pk, "on_duty": "yes"}).status_code == 302
    assert IntakeDuty.objects.filter(practitioner=off).exists()
    # Not someone else's: the other practitioner's row is not theirs to change.
    assert page.post(reverse("intake-duty"), {"practitioner": on.pk, "on_duty": "yes"}).status_code == 404
    assert not IntakeDuty.objects.filter(practitioner=on).exists()
    listing = page.get(reverse("intake-duty")).content.decode()
    assert listing.count("Put on duty") == 0 and listing.count("Take off duty") == 1
    supervisor = client_for(people["supervisor"])
    assert supervisor.post(reverse("intake-duty"), {"practitioner": on.pk, "on_duty": "yes"}).status_code == 302
    assert supervisor.post(reverse("intake-duty"), {"practitioner": off.pk, "on_duty": "no"}).status_code == 302
    assert list(IntakeDuty.objects.values_list("practitioner", flat=True)) == [on.pk]
    assert list(intake_duty_recipients()) == [on]


def _submit_queries(worker):
    referral = make_referral(worker, submit=False)
    with CaptureQueriesContext(connection) as queries:
        services.referral_submit(referral=referral, user=worker)
    return len(queries)


def test_submitting_costs_the_same_queries_with_2_or_500_practitioners_on_duty(people):
    supervisor = people["supervisor"]
    for practitioner in (people["on"], people["off"]):
        intake_duty_set(practitioner=practitioner, on_duty=True, user=supervisor)
    _submit_queries(people["worker"])  # the year's first reference number costs a row of its own
    few = _submit_queries(people["worker"])
    assert told() == {"on@eip.test", "off@eip.test"}
    more = UserFactory.create_batch(498, role=Role.PRACTITIONER)
    IntakeDuty.objects.bulk_create([IntakeDuty(practitioner=p, set_by=supervisor) for p in more])
    UserFactory.create_batch(100, role=Role.PRACTITIONER)  # not on duty
    many = _submit_queries(people["worker"])
    assert Notification.objects.filter(kind="referral.new").count() == 2 + 2 + 500
    assert many == few
