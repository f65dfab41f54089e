"""The first phase's fund: up to £14,000 for up to 10 people (the briefing, section 6).
An administrator changes it, or adds the next phase's, in the admin."""

from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    Fund = apps.get_model("accommodation", "Fund")
    if not Fund.objects.exists():
        Fund.objects.create(name="Phase 1 accommodation fund", total=Decimal("14000.00"), places=10, active=True)


class Migration(migrations.Migration):
    dependencies = [("accommodation", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
