"""The fund gets phases: each has a period, a cap and places. The existing fund becomes phase 1,
from the programme's start (August 2020) and open-ended until the next phase is opened."""

import datetime

from django.db import migrations, models

import accommodation.models

PROGRAMME_STARTED_ON = datetime.date(2020, 8, 1)


def existing_fund_is_phase_1(apps, schema_editor):
    Fund = apps.get_model("accommodation", "Fund")
    active = Fund.objects.filter(active=True).first()
    if active is not None:
        active.starts_on = PROGRAMME_STARTED_ON
        active.save(update_fields=["starts_on"])
    # A retired fund (rare) keeps its placements but covers no date after the programme's start.
    for number, retired in enumerate(Fund.objects.exclude(pk=getattr(active, "pk", None)).order_by("pk"), start=1):
        retired.starts_on = retired.ends_on = PROGRAMME_STARTED_ON - datetime.timedelta(days=number)
        retired.save(update_fields=["starts_on", "ends_on"])


class Migration(migrations.Migration):
    dependencies = [("accommodation", "0002_first_phase_fund")]

    operations = [
        migrations.AddField(model_name="fund", name="starts_on", field=models.DateField(null=True)),
        migrations.AddField(
            model_name="fund",
            name="ends_on",
            field=models.DateField(
                blank=True, help_text="Blank while it is the newest phase.", null=True, verbose_name="last day of the phase"
            ),
        ),
        migrations.RunPython(existing_fund_is_phase_1, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="fund",
            name="starts_on",
            field=models.DateField(
                default=accommodation.models._programme_start, unique=True, verbose_name="first day of the phase"
            ),
        ),
        migrations.RemoveConstraint(model_name="fund", name="one_active_fund"),
        migrations.RemoveField(model_name="fund", name="active"),
        migrations.AlterModelOptions(name="fund", options={"ordering": ["starts_on"], "verbose_name": "fund phase"}),
        migrations.AddConstraint(
            model_name="fund",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_on__isnull", True), ("ends_on__gte", models.F("starts_on")), _connector="OR"),
                name="fund_phase_ends_after_it_starts",
            ),
        ),
        migrations.AddConstraint(
            model_name="fund",
            constraint=models.CheckConstraint(condition=models.Q(("total__gte", 0)), name="fund_phase_total_not_negative"),
        ),
    ]
