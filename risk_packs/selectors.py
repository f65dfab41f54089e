"""What goes into a risk pack, read in a fixed number of queries whatever the case holds."""

from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from assessments.instruments import MARAC_YES_THRESHOLD, DashAnswer
from assessments.selectors import latest_dash
from eip import access
from referrals.models import PartnerDetails

from .packs import PACKS, RiskPack

RECENT_DISCLOSURES = 3  # the pack is one page: the latest few; the rest are on the case


@dataclass
class DashSummary:
    assessment: object
    yes: list = field(default_factory=list)  # the answers, for the questions answered "yes"
    no: list[int] = field(default_factory=list)  # question numbers
    dont_know: list[int] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)  # the MARAC criteria it meets

    @property
    def yes_source(self) -> str:
        """The one source of every 'yes' answer, when they share one: said once, not 24 times."""
        sources = {answer.get_source_display() for answer in self.yes}
        return sources.pop() if len(sources) == 1 else ""

    @property
    def answered(self) -> int:
        return len(self.yes) + len(self.no) + len(self.dont_know)


def dash_summary(assessment) -> DashSummary | None:
    if assessment is None:
        return None
    summary = DashSummary(assessment)
    for answer in sorted(assessment.answers.all(), key=lambda a: _number(a.item)):
        answer.number = _number(answer.item)
        if answer.rating == DashAnswer.YES:
            summary.yes.append(answer)
        elif answer.rating == DashAnswer.NO:
            summary.no.append(answer.number)
        else:
            summary.dont_know.append(answer.number)
    if (assessment.yes_count or 0) >= MARAC_YES_THRESHOLD:
        summary.criteria.append(
            f"visible high risk: {assessment.yes_count} ‘yes’ answers ({MARAC_YES_THRESHOLD} or more)"
        )
    if assessment.professional_judgement:
        summary.criteria.append("professional judgement")
    if assessment.potential_escalation:
        summary.criteria.append("potential escalation")
    return summary


def _date(value) -> str:
    """A plan action's due date is stored as "YYYY-MM-DD"; anything else is shown as written."""
    try:
        return date_format(date.fromisoformat(value), "j M Y")
    except (TypeError, ValueError):
        return value or ""


def _number(item: str) -> int:
    return int(item.rpartition("-")[2] or 0)


def risk_pack_facts(*, case) -> dict:
    """Everything a pack shows: the partner, the client, the children, the latest DASH, the risk
    summary, the agencies involved and the actions. `case` comes through the gate with its
    referral, borough, practitioner and referrer."""
    referral = case.referral
    disclosures = list(case.disclosures.all()[: RECENT_DISCLOSURES + 1])
    plan = case.risk_plans.first()
    return {
        "case": case,
        "referral": referral,
        "partner": PartnerDetails.objects.filter(referral=referral).first(),
        "children": list(referral.children.all()),
        "dash": dash_summary(latest_dash(case=case)),
        "plan": plan,
        "plan_actions": [{**item, "due": _date(item.get("due"))} for item in (plan.actions if plan else [])],
        "disclosures": disclosures[:RECENT_DISCLOSURES],
        "more_disclosures": len(disclosures) > RECENT_DISCLOSURES,
        "risk_actions": list(case.risk_actions.all()),
        "onward": list(case.onward_referrals.all()),
        "consents": list(case.consents.all()),
        "meeting": case.meetings.exclude(actions="").first(),
    }


def risk_pack_html(*, case, pack: RiskPack, user) -> str:
    """The pack's HTML, which the outbound guard reads before it becomes a PDF."""
    facts = risk_pack_facts(case=case)
    return render_to_string(
        "risk_packs/pack_pdf.html",
        {
            **facts,
            "pack": pack,
            "pack_actions": [a for a in facts["risk_actions"] if a.kind == pack.action_kind],
            "prepared_by": user,
            "generated": timezone.localtime(),
        },
    )


def risk_tab_panel(request, case) -> dict | None:
    """Heads the Risk tab for those who may produce the packs: the two downloads, and whether a
    DASH has been completed yet. Nothing at all for anyone else."""
    if not access.allowed(request.user, "risk_pack.download", case):
        return None
    return {"packs": list(PACKS.values()), "dash": dash_summary(latest_dash(case=case))}
