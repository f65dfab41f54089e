"""First run in production: the programme's organisations, its ten boroughs, the accommodation
fund and the first administrator. Running it again changes nothing that exists.

    python manage.py eip_setup --admin-email admin@council.example.org --admin-name "Pat Admin"

The password is read from EIP_ADMIN_PASSWORD, or asked for when run at a terminal; it is
checked against the password rules and never printed. The boroughs start without an
information sharing agreement: an administrator records each one in the admin site when it is
signed (referrals from a borough are refused until then). Everything else (people, SPOCs) is
added in the admin site.
"""

import getpass
import os
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# The trial's facts, shared with the demo data: the ten boroughs and the partners.
from eip.first_run import FIRST_RUN_STEPS
from eip.people.models import Borough, Organisation, Role, User

from .demo_data import BOROUGHS, ORGANISATIONS, _slug


class Command(BaseCommand):
    help = "Set up the programme (boroughs, organisations, fund) and its first administrator. Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("--admin-email", required=True, help="the first administrator's email (their sign-in)")
        parser.add_argument("--admin-name", required=True, help="the first administrator's full name")
        parser.add_argument(
            "--admin-organisation", default="Respect", help="their organisation (default: Respect, the programme lead)"
        )

    def handle(self, *args, admin_email, admin_name, admin_organisation, **options):
        admin_email = User.objects.normalize_email(admin_email.strip()).lower()
        existing = User.objects.filter(email__iexact=admin_email).first()
        if existing and existing.role != Role.ADMINISTRATOR:
            raise CommandError(f"{admin_email} already has an account, which is not an administrator's.")
        password = None if existing else self._password(admin_email, admin_name)
        with transaction.atomic():
            made = self._programme()
            if not existing:
                self._administrator(admin_email, admin_name, admin_organisation, password)
        for line in made:
            self.stdout.write(line)
        if existing:
            self.stdout.write(f"Administrator {admin_email} already exists; unchanged.")
        else:
            self.stdout.write(
                f"Administrator {admin_email} created. They set up two-factor sign-in when they first sign in."
            )

    def _password(self, email, name) -> str:
        password = os.environ.get("EIP_ADMIN_PASSWORD")
        if not password:
            if not sys.stdin.isatty():
                raise CommandError("Set EIP_ADMIN_PASSWORD, or run this at a terminal to be asked for the password.")
            password = getpass.getpass("Password for the first administrator: ")
            if password != getpass.getpass("The same password again: "):
                raise CommandError("The passwords do not match.")
        try:
            validate_password(password, User(email=email, full_name=name))
        except ValidationError as error:
            raise CommandError("The password is not strong enough: " + " ".join(error.messages)) from None
        return password

    def _programme(self) -> list[str]:
        made = []
        for name, kind in ORGANISATIONS:
            _, created = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
            made += [f"Organisation {name} created."] if created else []
        for name, _demo_agreement_date in BOROUGHS:
            Organisation.objects.get_or_create(
                name=f"London Borough of {name}", defaults={"kind": Organisation.Kind.BOROUGH_COUNCIL}
            )
            _, created = Borough.objects.get_or_create(code=_slug(name), defaults={"name": name})
            made += [f"Borough {name} created (no information sharing agreement recorded yet)."] if created else []
        for step in FIRST_RUN_STEPS:  # each app's own (the accommodation fund), registered from its ready()
            made += step()
        made.append(f"{Borough.objects.count()} boroughs, {Organisation.objects.count()} organisations.")
        return made

    def _administrator(self, email, name, organisation, password) -> User:
        from eip.people.services import user_save

        admin = User(
            email=email,
            full_name=name,
            role=Role.ADMINISTRATOR,
            organisation=Organisation.objects.filter(name=organisation).first(),
            is_staff=True,
            is_superuser=True,
        )
        admin.set_password(password)
        user_save(user=admin, actor=None)  # validated, and its creation audited
        return admin
