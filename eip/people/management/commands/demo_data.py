"""Load demonstration data: the ten boroughs, the programme's organisations and a login
for every role. Safe to run twice. Refuses to run against a production configuration."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from eip.demo import DEMO_LOADERS
from eip.people.models import Borough, Organisation, Role, User

# The demo's printed login; the command refuses to run in production.
DEMO_PASSWORD = "demo-eip-2026!"  # noqa: S105  # nosec B105

# The five boroughs with an information sharing agreement are those that referred in the
# trial's first six months; the other five are illustrative and have no agreement yet.
BOROUGHS = [
    ("Barking and Dagenham", date(2026, 8, 3)),
    ("Camden", date(2026, 7, 20)),
    ("Sutton", date(2026, 8, 10)),
    ("Westminster", date(2026, 8, 17)),
    ("Waltham Forest", date(2026, 9, 1)),
    ("Hackney", None),
    ("Islington", None),
    ("Lambeth", None),
    ("Lewisham", None),
    ("Haringey", None),
]

ORGANISATIONS = [
    ("Cranstoun", Organisation.Kind.DELIVERY_PARTNER),
    ("Respect", Organisation.Kind.PROGRAMME_LEAD),
    ("SafeLives", Organisation.Kind.PROGRAMME_LEAD),
    ("London Borough of Camden", Organisation.Kind.FUND_HOLDER),
    ("MOPAC", Organisation.Kind.FUNDER),
    ("SCIE", Organisation.Kind.EVALUATOR),
]


def _slug(name: str) -> str:
    return name.lower().replace(" and ", "-").replace(" ", "-")


class Command(BaseCommand):
    help = "Load demonstration boroughs, organisations and one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "EIP_ALLOW_DEMO_DATA", False):
            raise CommandError("Demo data is only for local and test configurations.")
        with transaction.atomic():
            logins = self._load()
            for load in DEMO_LOADERS:  # each app's records, registered from its ready()
                load()
        if not options["quiet_logins"]:
            self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
            for role, email in logins:
                self.stdout.write(f"  {role:<32} {email}")
            self.stdout.write("")

    def _user(self, email, full_name, role, organisation=None, borough=None, **extra):
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "role": role,
                "organisation": organisation,
                "borough": borough,
                **extra,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
        return user

    def _load(self):
        orgs = {}
        for name, kind in ORGANISATIONS:
            orgs[name], _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
        boroughs = {}
        for name, signed in BOROUGHS:
            council, _ = Organisation.objects.get_or_create(
                name=f"London Borough of {name}",
                defaults={"kind": Organisation.Kind.BOROUGH_COUNCIL},
            )
            borough, _ = Borough.objects.get_or_create(
                code=_slug(name),
                defaults={"name": name, "isa_in_place": signed is not None, "isa_signed_on": signed},
            )
            slug = _slug(name)
            borough.spoc = self._user(f"spoc.{slug}@eip.example", f"{name} SPOC", Role.BOROUGH_SPOC, council, borough)
            borough.housing_spoc = self._user(
                f"housing.{slug}@eip.example", f"{name} Housing", Role.HOUSING_SPOC, council, borough
            )
            borough.save()
            boroughs[name] = (borough, council)

        camden, camden_council = boroughs["Camden"]
        sutton, sutton_council = boroughs["Sutton"]
        hackney, hackney_council = boroughs["Hackney"]
        people = [
            (Role.SOCIAL_WORKER, "sw.camden@eip.example", "Sam Okafor", camden_council, camden),
            (Role.SOCIAL_WORKER, "sw.sutton@eip.example", "Priya Shah", sutton_council, sutton),
            (Role.SOCIAL_WORKER, "sw.hackney@eip.example", "Tom Reilly", hackney_council, hackney),
            (Role.PRACTITIONER, "practitioner@eip.example", "Alex Morgan", orgs["Cranstoun"], None),
            (Role.PRACTITIONER, "practitioner2@eip.example", "Jo Adeyemi", orgs["Cranstoun"], None),
            (Role.SUPERVISOR, "supervisor@eip.example", "Chris Lowe", orgs["Respect"], None),
            (Role.FINANCE, "finance@eip.example", "Dana Price", orgs["London Borough of Camden"], None),
            (Role.PROGRAMME_MANAGER, "manager@eip.example", "Morgan Ellis", orgs["SafeLives"], None),
            (Role.EVALUATOR, "evaluator@eip.example", "Robin Hart", orgs["SCIE"], None),
        ]
        logins = []
        for role, email, name, org, borough in people:
            self._user(email, name, role, org, borough)
            logins.append((Role(role).label, email))
        self._user(
            "admin@eip.example",
            "Pat Admin",
            Role.ADMINISTRATOR,
            orgs["Respect"],
            is_staff=True,
            is_superuser=True,
        )
        logins.insert(3, (Role.BOROUGH_SPOC.label, "spoc.camden@eip.example"))
        logins.insert(4, (Role.HOUSING_SPOC.label, "housing.camden@eip.example"))
        logins.append((Role.ADMINISTRATOR.label, "admin@eip.example"))
        return logins
