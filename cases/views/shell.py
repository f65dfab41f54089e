"""The case page's shell: the one way a case page reaches its case (through the gate, the
view audited), and the frame every tab shares. Public: the assessments, accommodation and
subject-access tabs use it too."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, get_urlconf

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


# The addresses of case pages, each URL name reversed once a process: they hold no one's data,
# only where the pages are (a case page links to a dozen of them; reverse() each time was a
# tenth of the page's time).
_LINKS: dict[tuple, Links] = {}


def case_links() -> Links:
    """links(url_name, pk) -> the address of a page that takes one record's pk."""
    key = (get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    if key not in _LINKS:
        _LINKS[key] = Links()
    return _LINKS[key]


def case_page_render(request, case, template, current, **context):
    """A case page in the shell every tab shares: the case's header, what is due and the
    tabs this user may open, with `current` (a URL name) marked."""

    user = request.user
    annotated = case_with_due_facts(case=case)
    show_partner = access.allowed(user, "case.view_partner", case)
    links = case_links()
    # The policy's answer for each action once, however many tabs ask it.
    may = {action: access.allowed(user, action, case) for action in {tab.action for tab in CASE_TABS}}
    context.update(
        {
            "case": annotated,
            "sections": [
                {"text": tab.text, "href": links(tab.url_name, case.pk), "current": tab.url_name == current}
                for tab in CASE_TABS
                if may[tab.action]
            ],
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
