from django.apps import AppConfig


class RiskPacksConfig(AppConfig):
    name = "risk_packs"
    verbose_name = "Risk packs"

    def ready(self):
        from cases.tabs import tab_panel
        from eip import outbound

        from . import rules
        from .packs import PACKS
        from .selectors import risk_tab_panel

        rules.register()  # this app's actions in the one permission policy
        # The packs carry the partner's details by design: the guard releases them only to the
        # practitioner or a supervisor downloading them, whatever the partner's record holds.
        for pack in PACKS.values():
            outbound.restricted_output(pack.label, audiences={"practitioner", "supervisor"}, channels={"download"})
        tab_panel(url_name="case-risk", template="risk_packs/_risk_tab_panel.html", context=risk_tab_panel)
