from django.db import migrations, models
from django.db.models import Q

# Events written before the mark existed, recognised as the services wrote them.
PARTNER_KINDS = ["partner_contact", "partner_support", "disclosure", "risk_escalated", "risk_action_done"]
PARTNER_SERVICE_LABELS = ["IDVA", "MARAC", "Victim support", "CAMHS"]


def mark_partner_events(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    onward = Q()
    for label in PARTNER_SERVICE_LABELS:
        onward |= Q(summary=f"Onward referral to {label} made") | Q(summary__startswith=f"{label}: ")
    CaseEvent.objects.filter(Q(kind__in=PARTNER_KINDS) | (Q(kind="onward_referral") & onward)).update(
        partner_related=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_onward_referral_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="partner_related",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.RunPython(mark_partner_events, migrations.RunPython.noop),
    ]
