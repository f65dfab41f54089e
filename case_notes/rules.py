"""Who may read and write case notes: registered with the one permission policy (eip.access)
from CaseNotesConfig.ready(). Notes about the partner are further limited, note by note, to
the roles allowed `case.view_partner` (selectors.notes_visible)."""

from eip.access import object_rule, role_rule
from eip.people.models import Role

R = Role

ROLES = {
    # The notes tab. A social worker sees only the notes shared with them as progress updates.
    "case_note.view": {R.SOCIAL_WORKER, R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
    "case_note.view_unshared": {R.BOROUGH_SPOC, R.PRACTITIONER, R.SUPERVISOR},
    # Writing the journal is the practitioner's; supervisors read and do not edit.
    "case_note.write": {R.PRACTITIONER},
}


def register() -> None:
    from cases.rules import case_rights

    for action, roles in ROLES.items():
        role_rule(action, roles)
    # The user's own rights to the case: emergency access opens the case record, not the journal.
    for action in ROLES:
        object_rule(action)(case_rights)
