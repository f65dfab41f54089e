"""What the monthly report and the evaluation will miss for one case, each gap with the page
where it is put right. The same gaps the report counts over every case (report.data_quality,
suitable_not_started, accommodation_needs), named here for the people who can fill them;
each links to a page the person reading may open. A fixed number of queries whatever the case
holds."""

from dataclasses import dataclass

from django.urls import reverse

from assessments.instruments import Instrument, Severity, Stage
from assessments.models import Assessment, AssessmentAnswer
from assessments.rules import record_action
from assessments.services import EXIT_REQUIRED
from cases.models import Case, Consultation, OnwardReferral
from eip import access

from .models import AccommodationNeed, AwaitingStart

DONT_KNOW = (Severity.DONT_KNOW,)  # the DASH's "don't know" has the same code


@dataclass(frozen=True)
class Gap:
    what: str  # what is missing, in plain words
    misses: str  # which figure of the report or the evaluation it leaves out
    href: str
    link_text: str


def case_data_gaps(*, case, user) -> list[Gap]:
    """The gaps in `case` (with its referral loaded), in the order the pathway meets them, as
    `user` may act on them."""
    gaps = []
    referral = case.referral
    on_referral = reverse("referral-detail", args=[referral.pk])
    if referral.client_ethnicity in ("", "not_known"):
        gaps.append(Gap("Ethnicity not known", "demographics: ethnicity", on_referral, "See the referral"))
    if referral.client_gender in ("", "not_known"):
        gaps.append(Gap("Gender not known", "demographics: gender", on_referral, "See the referral"))
    if referral.client_date_of_birth is None:
        gaps.append(Gap("Date of birth missing", "demographics: age at referral", on_referral, "See the referral"))
    gaps += _consultation_and_start(case)
    gaps += _assessments(case, user)
    gaps += _accommodation(case)
    gaps += _onward(case)
    if not case.is_open and not case.closure_reason:
        gaps.append(
            Gap(
                "Why the case closed is not recorded",
                "outcomes: completed, dropped out, did not engage",
                reverse("case-close", args=[case.pk]),
                "Go to closure",
            )
        )
    return gaps


def _consultation_and_start(case) -> list[Gap]:
    plan = reverse("case-plan", args=[case.pk])
    held = list(Consultation.objects.filter(case=case, held=True).values_list("outcome", flat=True))
    waiting = AwaitingStart.objects.filter(case=case).exists()  # asked whatever the case's stage: same cost
    if held and "" in held:
        return [Gap("Consultation outcome not recorded", "assessed as suitable or unsuitable", plan, "Go to the plan")]
    if "not_suitable" in held or case.intervention_started_on or not case.is_open or waiting:
        return []
    return [
        Gap(
            "Why the intervention has not started is not recorded",
            "suitable cases not yet started: due to start, being contacted, further assessment, refused",
            reverse("case-data-quality", args=[case.pk]) + "#awaiting-start",
            "Go to ‘Not started yet’",
        )
    ]


def _assessments(case, user) -> list[Gap]:
    expected = []
    if case.intervention_started_on:
        expected += [(instrument, Stage.INTAKE) for instrument in Instrument.values]
    if case.exit_started_on or case.closure_reason == Case.ClosureReason.COMPLETED:
        expected += [(instrument, Stage.EXIT) for instrument in EXIT_REQUIRED]
    current = {
        (a["instrument"], a["stage"]): a["pk"]
        for a in Assessment.objects.filter(case=case, is_current=True).values("pk", "instrument", "stage")
    }
    # A supervisor reads, and a closed case takes no new assessment: they are sent to the
    # case's assessments instead of a form that would refuse them.
    may_record = {action: access.allowed(user, action, case) for action in map(record_action, Instrument.values)}
    gaps = []
    for instrument, stage in expected:
        if (instrument, stage) in current:
            continue
        can_record = may_record[record_action(instrument)]
        href = (
            reverse("assessment-new", args=[case.pk, instrument, stage])
            if can_record
            else reverse("case-assessments", args=[case.pk])
        )
        gaps.append(
            Gap(
                f"{Instrument(instrument).label}: {Stage(stage).label.lower()} not done",
                "change from intake to exit" if instrument in (Instrument.SOAG, Instrument.NEEDS) else "assessments",
                href,
                "Complete it" if can_record else "Go to assessments",
            )
        )
    unknown = (
        AssessmentAnswer.objects.filter(assessment__case=case, assessment__is_current=True, rating__in=DONT_KNOW)
        .order_by("assessment__instrument", "assessment__stage", "pk")
        .values("assessment_id", "assessment__instrument", "assessment__stage", "label")
    )
    for answer in unknown:
        gaps.append(
            Gap(
                f"{Instrument(answer['assessment__instrument']).label} "
                f"({Stage(answer['assessment__stage']).label.lower()}): ‘don't know’ for {answer['label']}",
                "the answers counted as gaps per item",
                reverse("assessment-detail", args=[case.pk, answer["assessment_id"]]),
                "Open the assessment",
            )
        )
    return gaps


def _accommodation(case) -> list[Gap]:
    if case.is_open:
        return []
    # A closed case whose need was never settled stays "in the process of being placed".
    unsettled = (
        AccommodationNeed.objects.filter(case=case, outcome=AccommodationNeed.Outcome.IN_PROCESS)
        .exclude(case__accommodation_requests__placements__status__in=["approved", "ended"])
        .exists()
    )
    if unsettled:
        return [
            Gap(
                "Outcome of the accommodation need not recorded",
                "accommodation needs: placed, found other accommodation, not needed",
                reverse("case-data-quality", args=[case.pk]) + "#accommodation-need",
                "Go to ‘Accommodation need’",
            )
        ]
    return []


def _onward(case) -> list[Gap]:
    onward = reverse("case-onward", args=[case.pk])
    return [
        Gap(
            f"Onward referral to {o.get_service_display()} ({o.made_on:%-d %B %Y}): outcome not recorded",
            "onward referrals by service and status",
            onward,
            "Update the onward referral",
        )
        for o in OnwardReferral.objects.filter(case=case, status=OnwardReferral.Status.MADE).order_by("made_on", "pk")
    ]
