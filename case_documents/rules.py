"""Who may see, add and withdraw a case's documents: registered with the one permission policy
(eip.access) from CaseDocumentsConfig.ready(). Documents holding the partner's or children's
information are further limited, document by document, to the roles allowed `case.view_partner`
(selectors.documents_visible)."""

from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role

ROLES = {
    # The documents tab and downloads: the team that holds the case file, and the borough SPOC who
    # oversees the borough's cases (never a document about the partner). The referring social worker
    # sends and receives documents through the practitioner, as with unshared case notes.
    "case_document.view": {R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
    # Adding, withdrawing and marking as partner information: the practitioner holding the case.
    "case_document.add": {R.PRACTITIONER},
    # A withdrawn document (put on the wrong case, the wrong file) stays listed, with who withdrew it
    # and why, for the team that keeps the case file; the borough SPOC no longer sees it at all. It is
    # opened only by a supervisor, to look into the mistake.
    "case_document.view_withdrawn": {R.PRACTITIONER, R.SUPERVISOR},
    "case_document.open_withdrawn": {R.SUPERVISOR},
}


def register() -> None:
    from cases.rules import case_rights, holds_case

    for action, roles in ROLES.items():
        role_rule(action, roles)
    # The user's own rights to the case: emergency access opens the case record, not its file.
    object_rule("case_document.view")(case_rights)
    object_rule("case_document.view_withdrawn")(case_rights)
    object_rule("case_document.open_withdrawn")(case_rights)
    object_rule("case_document.add")(holds_case)
