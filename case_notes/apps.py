from django.apps import AppConfig


class CaseNotesConfig(AppConfig):
    name = "case_notes"
    verbose_name = "Case notes"

    def ready(self):
        from cases.tabs import case_tab
        from eip import outbound
        from eip.demo import demo_loader

        from . import retention, rules
        from .demo import load_demo_case_notes
        from .selectors import note_identifiers

        rules.register()  # this app's actions in the one permission policy
        case_tab(order=15, text="Notes", url_name="case-notes", action="case_note.view")
        retention.register()
        demo_loader(load_demo_case_notes)
        # A partner note's sentences are third-party text for the guard, like the partner's name.
        outbound.identifier_source(note_identifiers)
        outbound.concern_of("case_notes.CaseNote")(lambda note: [note.case.referral_id])
