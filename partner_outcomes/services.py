"""Recording the partner's safety outcome measure, the three-month follow-up reminder, and the
aggregate figures the monitoring report shows (with small numbers suppressed)."""

from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from eip.errors import Incomplete
from eip.notifications.services import notification_cancel, notification_schedule

from .models import BEHAVIOURS, FREQUENCY_ORDER, Frequency, PartnerOutcome, Stage

FOLLOW_UP_AFTER_DAYS = 91  # three months after closure
REMINDER_KIND = "partner_follow_up"
SUPPRESS_BELOW = 5  # the report never shows a partner figure from fewer than five people


class PartnerOutcomeIncomplete(Incomplete):
    pass


def follow_up_due_on(case) -> date | None:
    return timezone.localtime(case.closed_at).date() + timedelta(days=FOLLOW_UP_AFTER_DAYS) if case.closed_at else None


@transaction.atomic
def partner_outcome_record(*, case, user, stage, asked_on, asked_by, not_asked="", answers=None) -> PartnerOutcome:
    """Record one stage of the measure. Either every answer is given or the reason it was not asked."""
    answers = answers or {}
    errors = _problems(case=case, stage=stage, asked_on=asked_on, not_asked=not_asked, answers=answers)
    if errors:
        raise PartnerOutcomeIncomplete(errors)
    fields = {} if not_asked else {name: answers[name] for name, _ in BEHAVIOURS}
    if not not_asked:
        fields |= {"feels_safe": int(answers["feels_safe"]), "listened_to": answers["listened_to"]}
    outcome = PartnerOutcome.objects.create(
        case=case,
        stage=stage,
        asked_on=asked_on,
        asked_by=asked_by,
        not_asked=not_asked,
        recorded_by=user,
        **fields,
    )
    if stage == Stage.FOLLOW_UP:
        notification_cancel(subject=case, kind=REMINDER_KIND)
    return outcome


def _problems(*, case, stage, asked_on, not_asked, answers) -> dict[str, str]:
    errors = {}
    if stage == Stage.FOLLOW_UP and not case.closed_at:
        errors["stage"] = "The follow-up is three months after the case closes; this case is open"
    if asked_on and asked_on > timezone.localdate():
        errors["asked_on"] = "The date cannot be in the future"
    if PartnerOutcome.objects.filter(case=case, stage=stage).exists():
        errors["stage"] = "This stage has already been recorded for this case"
    if not not_asked:
        for name, _ in BEHAVIOURS:
            if not answers.get(name):
                errors[name] = "Choose how often this is happening, or 'does not know or did not say'"
        if not answers.get("feels_safe"):
            errors["feels_safe"] = "Choose how safe the partner feels"
        if not answers.get("listened_to"):
            errors["listened_to"] = "Choose whether the partner feels listened to"
    return errors


def follow_up_reminders_schedule(*, today: date | None = None) -> int:
    """For every closed case whose follow-up is not recorded, make sure one reminder to its social
    worker exists, due on the working day the follow-up falls due. Run daily; the notification key
    makes a repeat a no-op, so each case is reminded exactly once."""
    from cases.models import Case
    from eip.workdays import WARNING, reminder_delivery_at

    today = today or timezone.localdate()
    recent = timezone.now() - timedelta(days=FOLLOW_UP_AFTER_DAYS + 30)
    cases = (
        Case.objects.filter(closed_at__gte=recent, intervention_started_on__isnull=False)
        .exclude(partner_outcomes__stage=Stage.FOLLOW_UP)
        .select_related("referrer")
    )
    scheduled = 0
    for case in cases:
        due = follow_up_due_on(case)
        with transaction.atomic():
            rows = notification_schedule(
                recipients=[case.referrer],
                kind=REMINDER_KIND,
                key=f"{REMINDER_KIND}:{case.pk}",
                message=f"Case {case.reference}: the partner's three-month safety follow-up is due on {due:%-d %B %Y}.",
                due_at=reminder_delivery_at(day=due, timing=WARNING),
                subject=case,
                link=reverse("case-partner-outcomes", args=[case.pk]),
            )
        scheduled += len(rows)
    return scheduled


def _change(before, after):
    if before in (None, "", Frequency.DONT_KNOW) or after in (None, "", Frequency.DONT_KNOW):
        return "not_known"
    if before == Frequency.NONE:
        return "started" if after != Frequency.NONE else "still_none"
    if after == Frequency.NONE:
        return "stopped"
    b, a = FREQUENCY_ORDER.index(before), FREQUENCY_ORDER.index(after)
    return "reduced" if a < b else "increased" if a > b else "same"


def _suppressed(n):
    return f"<{SUPPRESS_BELOW}" if 0 < n < SUPPRESS_BELOW else n


def summary_from_rows(rows, in_period) -> dict:
    """Aggregates only: for partners asked at intake and at a later stage within the period, the
    change in each form of abuse, in feeling safe, and how many feel listened to. Counts from 1 to 4
    are shown as '<5' whatever the report's own suppression. `rows` are dicts with `key` (the case),
    `stage`, `not_asked`, the behaviours, `feels_safe` (a number or None) and `listened_to`; the
    report passes database rows and evaluation_tables the export's, so both count the same way."""
    rows = list(rows)
    intakes = {r["key"]: r for r in rows if r["stage"] == Stage.INTAKE and not r["not_asked"]}
    result = {}
    for later in (Stage.EXIT, Stage.FOLLOW_UP):
        dated = [r for r in rows if r["stage"] == later and in_period(r)]
        both = [(intakes[r["key"]], r) for r in dated if not r["not_asked"] and r["key"] in intakes]
        section = {
            "partners": _suppressed(len(both)),
            "not_asked": _suppressed(sum(1 for r in dated if r["not_asked"])),
        }
        for name, _label in BEHAVIOURS:
            changes = Counter(_change(a[name], b[name]) for a, b in both)
            section[name] = {
                key: _suppressed(changes[key])
                for key in ("stopped", "reduced", "same", "increased", "started", "still_none", "not_known")
            }
        section["feels_safer"] = _suppressed(sum(1 for a, b in both if b["feels_safe"] > a["feels_safe"]))
        section["feels_less_safe"] = _suppressed(sum(1 for a, b in both if b["feels_safe"] < a["feels_safe"]))
        section["feels_listened_to"] = _suppressed(sum(1 for _, b in both if b["listened_to"] == "yes"))
        result[later.value] = section
    return result


def partner_outcomes_summary(*, period_start: date, period_end: date) -> dict:
    rows = (
        {**row, "key": row["case_id"]}
        for row in PartnerOutcome.objects.order_by("case_id", "pk").values(
            "case_id", "stage", "asked_on", "not_asked", *(n for n, _ in BEHAVIOURS), "feels_safe", "listened_to"
        )
    )
    return summary_from_rows(rows, lambda r: period_start <= r["asked_on"] <= period_end)
