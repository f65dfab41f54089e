from django.apps import AppConfig


class CaseDocumentsConfig(AppConfig):
    name = "case_documents"
    verbose_name = "Case documents"

    def ready(self):
        from cases.tabs import case_tab
        from eip import outbound
        from eip.demo import demo_loader

        from . import retention, rules
        from .demo import load_demo_case_documents

        rules.register()  # this app's actions in the one permission policy
        case_tab(order=17, text="Documents", url_name="case-documents", action="case_document.view")
        retention.register()
        demo_loader(load_demo_case_documents)
        outbound.concern_of("case_documents.CaseDocument")(lambda document: [document.case.referral_id])
