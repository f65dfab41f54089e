"""python manage.py import_cases FILE --user EMAIL   (JSON Lines; see the README)"""

from django.core.management.base import BaseCommand, CommandError

from eip.people.models import User
from evaluation.importer import import_lines


class Command(BaseCommand):
    help = "Import historical referrals and cases from a JSON Lines file. Any problem imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", required=True, help="email of the person doing the import (recorded on the records)"
        )

    def handle(self, *args, file, user, **options):
        importer = User.objects.filter(email__iexact=user, is_active=True).first()
        if importer is None:
            raise CommandError(f"No active user with the email {user}")
        try:
            with open(file, encoding="utf-8") as handle:
                result = import_lines(handle.readlines(), user=importer)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        if not result["imported"]:
            for problem in result["problems"]:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(result['problems'])} problem(s) found; nothing was imported.")
        counts = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(result["counts"].items()) if n)
        self.stdout.write(f"Imported {counts}; {result['people']} people.")
