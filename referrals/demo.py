"""Demonstration referrals at each step of intake, made through the same services as the
screens. Names and contact details are fictional."""

from datetime import date, timedelta

from django.utils import timezone

from eip.people.models import User

from . import amending, duty, services
from .models import Referral, ReferralWindow, ReferredChild

CLIENTS = [
    # first, last, born, gender, ethnicity, team, partner
    ("Daniel", "Hughes", date(1987, 5, 14), "man", "white_british", "child_in_need", "Chloe"),
    ("Marcus", "Bennett", date(1991, 2, 3), "man", "black_caribbean", "early_help", "Aisha"),
    ("Imran", "Qureshi", date(1984, 9, 22), "man", "asian_pakistani", "child_protection", "Sana"),
    ("Liam", "Doyle", date(1995, 11, 8), "man", "white_irish", "early_help", "Erin"),
    ("Kwame", "Mensah", date(1989, 7, 30), "man", "black_african", "child_in_need", "Ama"),
    ("Tomasz", "Nowak", date(1990, 4, 12), "man", "white_other", "child_in_need", "Kasia"),
    ("Ryan", "Clarke", date(1993, 1, 19), "man", "mixed_white_black_caribbean", "early_help", "Jade"),
    ("Jordan", "Price", date(1992, 6, 2), "man", "white_british", "early_help", "Mia"),
    # The accepted client again, spelled another way: the inbox offers the person already known.
    ("Tomas", "Novak", date(1990, 4, 12), "man", "white_other", "child_in_need", "Kasia"),
]


def _referral(worker, client, *, days_ago=0, submit=True):
    first, last, born, gender, ethnicity, team, partner_name = client
    referral = services.referral_create(referrer=worker)
    referral.team, referral.client_first_name, referral.client_last_name = team, first, last
    referral.client_date_of_birth, referral.client_gender = born, gender
    referral.client_ethnicity, referral.client_first_language = ethnicity, "English"
    referral.client_interpreter_needed, referral.client_phone = "no", "07700 900000"
    referral.risk_markers = ["verbal_arguments", "child_contact"]
    referral.police_involved, referral.dash_completed, referral.dash_score = "no", "yes", 8
    referral.accommodation_may_be_needed, referral.client_willingness = "not_known", "willing"
    referral.case_dynamic = "Arguments about child contact have become more frequent since the summer."
    partner = referral.partner
    partner.first_name, partner.lives_with_client = partner_name, "yes"
    services.referral_save(
        referral=referral,
        partner=partner,
        children=[ReferredChild(age=5, plan="cin")],
        user=worker,
        expected_version=referral.version,
    )
    if submit:
        services.referral_submit(referral=referral, user=worker, now=timezone.now() - timedelta(days=days_ago))
    return Referral.objects.get(pk=referral.pk)


def load_demo_referrals():
    if Referral.objects.exists():
        return
    today = timezone.localdate()
    ReferralWindow.objects.get_or_create(
        name=f"Phase {today.year}",
        defaults={"opens_on": date(today.year, 8, 19), "closes_on": date(today.year, 12, 31)},
    )
    camden = User.objects.get(email="sw.camden@eip.example")
    sutton = User.objects.get(email="sw.sutton@eip.example")
    practitioner = User.objects.get(email="practitioner@eip.example")
    # Alex does intake this week: told of new referrals, which their diary lists to acknowledge.
    duty.intake_duty_set(practitioner=practitioner, on_duty=True, user=practitioner)

    _referral(camden, CLIENTS[0], submit=False)  # a draft
    _referral(camden, CLIENTS[1], days_ago=8)  # acknowledgement overdue
    _referral(sutton, CLIENTS[2], days_ago=0)  # new today
    asked = _referral(camden, CLIENTS[3], days_ago=2)  # more information asked for
    services.referral_acknowledge(referral=asked, user=practitioner, consultation_timeline="Within 5 working days.")
    services.referral_request_information(
        referral=asked, user=practitioner, request="Are the children known to any other service?"
    )
    waiting = _referral(sutton, CLIENTS[4], days_ago=3)  # acknowledged, to decide
    services.referral_acknowledge(
        referral=waiting, user=practitioner, consultation_timeline="We will call you on Thursday."
    )
    accepted = _referral(camden, CLIENTS[5], days_ago=10)  # accepted: a case
    services.referral_acknowledge(
        referral=accepted, user=practitioner, consultation_timeline="Consultation booked for next Tuesday."
    )
    services.referral_link_person(referral=accepted, user=practitioner, person=None)
    services.referral_accept(referral=accepted, user=practitioner)
    declined = _referral(sutton, CLIENTS[6], days_ago=6)  # declined
    services.referral_decline(
        referral=declined,
        user=practitioner,
        reason="risk_too_high",
        details="Recent serious assault; MARAC referral made.",
        suggested_onward_referrals="Sutton DVPP; IDVA service for the partner.",
    )
    withdrawn = _referral(camden, CLIENTS[7], days_ago=1)  # withdrawn by the social worker
    amending.referral_withdraw(referral=withdrawn, user=camden, reason="The family has moved out of London.")
    _referral(camden, CLIENTS[8], days_ago=0)  # the accepted client again, spelled another way
