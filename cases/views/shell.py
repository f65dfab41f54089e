"""The case page's shell: the one way a case page reaches its case (through the gate, the
view audited), and the frame every tab shares. Public: the assessments, accommodation and
subject-access tabs use it too."""

from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from eip import access
from eip.audit.models import AuditEvent
from eip.audit.services import audit_record
from eip.forms_util import error_summary, submit
from eip.links import Links

from ..selectors import case_get_for_user, case_with_due_facts, due_items, weeks_open
from ..tabs import CASE_TABS, tab_panels


def case_for_page(request, pk, action="case.view", *, audit=True):
    """The case a case page shows, through the one gate, and the view audited (public: the
    assessments and accommodation tabs use it too)."""
    case = case_get_for_user(user=request.user, pk=pk, action=action)
    if audit:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEWED,
            record=case,
            detail={"page": request.resolver_match.url_name},
        )
    return case


def case_page_render(request, case, template, current, **context):
    """A case page in the shell every tab shares: the case's header, what is due and the
    tabs this user may open, with `current` (a URL name) marked."""

    user = request.user
    annotated = case_with_due_facts(case=case)
    show_partner = access.allowed(user, "case.view_partner", case)
    links = Links()
    # The policy's answer for each action once, however many tabs ask it.
    may = {action: access.allowed(user, action, case) for action in {tab.action for tab in CASE_TABS}}
    context.update(
        {
            "case": annotated,
            "case_navigation": _case_navigation(
                (tab.text, links(tab.url_name, case.pk), tab.url_name == current)
                for tab in CASE_TABS
                if may[tab.action]
            ),
            "due": due_items(annotated, partner_matters=show_partner),
            "weeks_open": weeks_open(annotated),
            "can_work": access.allowed(user, "case.work", case) and case.is_open,
            "can_consent": access.allowed(user, "case.consent", case),
            "can_reassign": access.allowed(user, "case.reassign", case),
            "show_partner": show_partner,
            "panels": tab_panels(request, annotated, current),
        }
    )
    context.setdefault("errors", [])
    return render(request, template, context)


def _case_navigation(sections):
    """The side navigation's items (text, address, whether it is this page), as markup: every
    case page has a dozen, the same for each tab but the one marked."""
    return format_html_join(
        "\n",
        '<li class="moj-side-navigation__item{}"><a {}href="{}">{}</a></li>',
        (
            (" moj-side-navigation__item--active" if current else "", CURRENT if current else "", href, text)
            for text, href, current in sections
        ),
    )


CURRENT = mark_safe('aria-current="page" ')  # nosec B308


def case_form_tab(
    request,
    pk,
    *,
    tab,
    form_class,
    perform,
    success,
    template,
    context,
    view="case.view",
    record="case.work",
):
    """A case page with one form: the page for whoever may `view` it, the form for whoever may
    `record` on it. A valid form goes to the service, `perform(case, data)`, whose refusals land
    beside their fields; once done the user is back on the tab (`tab`, a URL name). `context(case)`
    is what `template` shows besides the form, in the shell's frame."""
    case = case_for_page(request, pk, view)
    form = form_class(request.POST or None) if access.allowed(request.user, record, case) else None
    if (
        request.method == "POST"
        and form is not None
        and submit(request, form, lambda data: perform(case, data), success)
    ):
        return redirect(tab, pk=pk)
    page = {"form": form, **context(case), "errors": error_summary(form) if form is not None else []}
    return case_page_render(request, case, template, tab, **page)
