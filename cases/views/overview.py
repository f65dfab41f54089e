"""The case overview tab: the client at a glance, the timeline, and the accessibility details
edited from it."""

from collections import namedtuple

from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from eip import access
from eip.forms_util import error_summary, submit
from eip.links import Links
from referrals.inbox import high_risk_indicated
from referrals.models import Referral, ReferredChild

from .. import forms, services
from ..models import Case, Consent, plan_action_due
from ..selectors import case_with_due_facts
from ..selectors.overview import case_card_facts, timeline_page
from .shell import case_for_page, case_page_render

BR = mark_safe("<br>")  # nosec B308


@access.policy("case.view")
def case_detail(request, pk):
    case = case_with_due_facts(case=case_for_page(request, pk))
    user = request.user
    show_partner = access.allowed(user, "case.view_partner", case)
    events = timeline_page(case=case, partner_matters=show_partner, number=request.GET.get("page"))
    links = Links()
    return case_page_render(
        request,
        case,
        "cases/case_detail.html",
        "case-detail",
        events=events,
        timeline=_timeline(events),
        summary=_client_summary(user, case, show_partner=show_partner, links=links),
        # IDVA and MARAC actions are partner matters; listed only when the due facts count some.
        open_risk_actions=(
            list(case.risk_actions.filter(done_on__isnull=True)) if show_partner and case.open_risk_actions else []
        ),
        risk_href=links("case-risk", case.pk),
        accessibility_href=links("case-accessibility", case.pk),
        exit_href=links("case-exit", case.pk),
    )


def _when(at):
    """A moment as the timeline shows it ("4 March 2026, 09:05", London time): the date
    filter's "j F Y, H:i", written out, since a page has thirty of them."""
    at = timezone.localtime(at)
    return f"{at.day} {MONTHS[at.month]} {at.year}, {at.hour:02d}:{at.minute:02d}"


def _timeline(events):
    return format_html_join(
        "\n",
        '<div class="moj-timeline__item">\n'
        '  <div class="moj-timeline__header">\n'
        '    <h3 class="moj-timeline__title">{}</h3>\n'
        '    <p class="moj-timeline__byline">by {}</p>\n'
        "  </div>\n"
        '  <p class="moj-timeline__date"><time datetime="{}">{}</time></p>\n'
        "</div>",
        (
            (event.summary, event.actor_name or "the system", timezone.localtime(event.at).isoformat(), _when(event.at))
            for event in events
        ),
    )


def _age(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _text(value, default="—"):
    return linebreaksbr(value or default, autoescape=True)


def _lines(lines, empty):
    return format_html_join(BR, "{}", ((line,) for line in lines)) if lines else empty


CardConsent = namedtuple("CardConsent", "party given_on")
_PLANS = dict(ReferredChild.Plan.choices)
_PARTIES = dict(Consent.Party.choices)
_STATUSES = dict(Referral.Status.choices)


def _client_summary(user, case, *, show_partner, links):
    """What a colleague needs first: the client as referred, the risk at referral, the plan's
    next actions and the consent in force, as the card's rows. Two queries (none for what the
    gate and the due facts already read), however long the case. Children only for those who
    may see partner matters; the referral's risk only for those the referral's own page would
    show it to."""
    # The referral the gate fetched with the case; its referrer and borough are the case's own
    # (a case keeps its referral's), so they too are already loaded.
    r = case.referral
    if r.referrer_id == case.referrer_id:
        r.referrer = case.referrer
    if r.borough_id == case.borough_id:
        r.borough = case.borough
    r.high_risk = high_risk_indicated(r)  # the inbox's own rule
    facts = case_card_facts(case=case, children=show_partner)
    can_open_referral = access.allowed(user, "referral.view", r)
    born = r.client_date_of_birth
    next_actions = sorted(facts.plan_actions, key=lambda a: a.get("due") or "")
    consents = [CardConsent(party, given_on) for party, given_on in facts.consents]

    if case.interpreter_used:
        interpreter = format_html("interpreter used ({})", case.interpreter_language or "language not recorded")
    else:
        needed = r.get_client_interpreter_needed_display() or "not recorded"
        interpreter = format_html("interpreter needed at referral: {}", needed.lower())
    team = (r.team_other or r.get_team_display()) if r.team else ""
    rows = [
        ("Name", _text(r.client_name)),
        (
            "Date of birth",
            format_html("{} (age {})", date_format(born, "j F Y"), _age(born, timezone.localdate())) if born else "—",
        ),
        ("Phone", _text(r.client_phone)),
        (
            "Address",
            format_html("{}<br>{}", _text(r.client_address), r.client_postcode)
            if r.client_postcode
            else _text(r.client_address),
        ),
        ("Safe times to contact", _text(r.client_safe_contact_times)),
        (
            "Language and interpreter",
            format_html("{}; {}", r.client_first_language or "First language not recorded", interpreter),
        ),
        ("Accessibility needs", _text(case.accessibility_adaptations or r.client_additional_needs, "None recorded")),
        ("Referred by", format_html("{}, {}", r.referrer.full_name, team) if team else r.referrer.full_name),
        ("Borough", _text(r.borough)),
    ]
    if can_open_referral:
        dash = format_html("{}", "Not scored" if r.dash_score is None else r.dash_score)
        if r.high_risk:
            dash += mark_safe(' <strong class="govuk-tag govuk-tag--red">High risk indicated</strong>')  # nosec B308
        if markers := r.risk_marker_labels:
            dash += format_html("<br>{}", ", ".join(map(str, markers)))
        police = (r.get_police_involved_display() or "not recorded").lower()
        orders = ", ".join(map(str, r.order_labels)) or "none recorded"
        rows += [
            ("DASH at referral", dash),
            ("Police and orders", format_html("Police involved: {}<br>Orders: {}", police, orders)),
        ]
    if show_partner:
        children = [format_html("Age {}: {}", age, _PLANS.get(plan, plan)) for age, plan in facts.children]
        rows.append(("Children", _lines(children, "None recorded"), "summary-children"))
    actions = [
        format_html("{} — {}, by {}", a.get("action", ""), a.get("owner", ""), date_format(plan_action_due(a), "j M Y"))
        if a.get("due")
        else format_html("{} — {}", a.get("action", ""), a.get("owner", ""))
        for a in next_actions
    ]
    rows.append(("Next actions", _lines(actions, "No plan actions yet")))
    given = [
        format_html("{}: given {}", _PARTIES.get(c.party, c.party), date_format(c.given_on, "j M Y")) for c in consents
    ]
    rows.append(("Consent in force", _lines(given, "None")))
    others = []
    for pk, reference, status, borough_id in facts.other_referrals:
        # Enough of the referral for the policy's rule (its status, borough and pk).
        other = Referral.from_db(None, ["id", "status", "borough_id"], [pk, status, borough_id])
        ref = (
            format_html('<a class="govuk-link" href="{}">{}</a>', links("referral-detail", pk), reference)
            if access.allowed(user, "referral.view", other)
            else reference
        )
        others.append(format_html("{} ({})", ref, _STATUSES.get(status, status).lower()))
    if others:
        rows.append(("Other referrals", _lines(others, "")))
    return {
        "referral": r,
        "title": (
            format_html(
                '<a class="govuk-link" href="{}">Original referral {}</a>', links("referral-detail", r.pk), r.reference
            )
            if can_open_referral
            else format_html("Referral {}", r.reference)
        ),
        "rows": format_html_join(
            "\n",
            '<div class="govuk-summary-list__row"{}><dt class="govuk-summary-list__key">{}</dt>'
            '<dd class="govuk-summary-list__value">{}</dd></div>',
            ((format_html(' data-testid="{}"', row[2]) if len(row) == 3 else "", row[0], row[1]) for row in rows),
        ),
        "next_actions": next_actions,
        "consents": consents,
    }


@access.policy("case.work")
def case_accessibility(request, pk):
    case = case_for_page(request, pk, "case.work")
    form = forms.AccessibilityForm(request.POST or None, instance=Case.objects.get(pk=case.pk))
    if request.method == "POST" and submit(
        request,
        form,
        lambda d: services.accessibility_update(
            case=case,
            user=request.user,
            adaptations=d["accessibility_adaptations"],
            interpreter_used=d["interpreter_used"],
            interpreter_language=d["interpreter_language"],
            expected_version=forms.page_version(d),
        ),
        "Accessibility adaptations saved.",
    ):
        return redirect("case-detail", pk=pk)
    return case_page_render(
        request,
        case,
        "cases/case_form_page.html",
        "case-detail",
        form=form,
        heading="Accessibility and interpreter",
        button="Save",
        errors=error_summary(form),
    )
