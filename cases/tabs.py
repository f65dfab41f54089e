"""The tabs of a case page. The case's own are declared here; the apps that hang their pages
on a case (assessments, accommodation, subject access) add theirs with case_tab() from their
AppConfig.ready(), so cases does not name their URLs."""

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class CaseTab:
    order: int  # where it stands among the tabs
    text: str
    url_name: str  # takes the case's pk
    action: str  # the permission that shows it (eip.access)


CASE_TABS: list[CaseTab] = [
    CaseTab(10, "Overview", "case-detail", "case.view"),
    CaseTab(20, "Consultation and plan", "case-plan", "case.view"),
    CaseTab(30, "Consent", "case-consent", "case.view"),
    CaseTab(40, "Sessions", "case-sessions", "case.view"),
    CaseTab(50, "Meetings", "case-meetings", "case.view"),
    CaseTab(80, "Risk", "case-risk", "case.view"),
    CaseTab(90, "Onward referrals", "case-onward", "case.view"),
    CaseTab(100, "Partner support", "case-partner", "case.view_partner"),
    CaseTab(110, "Closure", "case-close", "case.view"),
]


def case_tab(*, order: int, text: str, url_name: str, action: str) -> None:
    CASE_TABS.append(CaseTab(order, text, url_name, action))
    CASE_TABS.sort()


@dataclass(frozen=True)
class TabPanel:
    url_name: str  # the tab it heads
    template: str
    # (request, case) -> what the template needs, or None to show nothing.
    context: object


TAB_PANELS: list[TabPanel] = []


def tab_panel(*, url_name: str, template: str, context) -> None:
    """Head a case tab with another app's panel (the diary's planned sessions and meetings)."""
    TAB_PANELS.append(TabPanel(url_name, template, context))


def tab_panels(request, case, current: str) -> list[dict]:
    panels = []
    for panel in TAB_PANELS:
        if panel.url_name == current and (context := panel.context(request, case)) is not None:
            panels.append({"template": panel.template, **context})
    return panels
