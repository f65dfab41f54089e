"""The declared vocabulary of notification kinds, and how each may reach people by e-mail.

Every kind of notification ("referral.acknowledgement_overdue") is declared once, by the app
that sends it, from its AppConfig.ready(); the settings page lists the declared kinds a user's
role receives and the delivery honours the recipient's choice for each. The in-app list always
shows every notification: only the e-mail is a choice.

Three standard choices (`EMAIL_CHOICES`); a kind declares which of them people may pick:
- anything (the default) for news people can read later;
- `EMAIL_REQUIRED` (at once or in the digest, never in-app only) for deadline reminders;
- `ALWAYS_AT_ONCE` for alerts where a delay or a missed e-mail could leave someone unsafe or
  a breach unnoticed: safeguarding alerts, emergency access and the account's own security.
A kind may declare options of its own (a weekly summary, say) and handle them itself.
"""

from dataclasses import dataclass

IMMEDIATE = "immediate"
DIGEST = "digest"
IN_APP = "in_app"

EMAIL_CHOICES = {
    IMMEDIATE: "Email straight away",
    DIGEST: "In my daily email",
    IN_APP: "Do not email (EIP only)",
}
ANY = (IMMEDIATE, DIGEST, IN_APP)
EMAIL_REQUIRED = (IMMEDIATE, DIGEST)
ALWAYS_AT_ONCE = (IMMEDIATE,)

# What the settings page says about a kind whose e-mail cannot be turned off, and why.
WHY_REQUIRED = {
    EMAIL_REQUIRED: "Work with a deadline: it can wait for your daily email but is always emailed.",
    ALWAYS_AT_ONCE: "Always emailed straight away: a delay could leave someone unsafe or a breach unnoticed.",
}


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str
    # The e-mail choices people may make, in the order shown; the first is the default
    # unless `default` says otherwise.
    options: tuple[str, ...] = ANY
    default: str = IMMEDIATE
    # The roles that receive it (for the settings page); None: anyone.
    roles: frozenset | None = None
    # Internal kinds (the digest itself) are not shown on the settings page.
    listed: bool = True
    # Labels of options beyond the standard ones, or longer ones for this kind (shown one per line).
    option_labels: tuple[tuple[str, str], ...] = ()

    @property
    def topic(self) -> str:
        return self.code.split(".", 1)[0]

    def option_label(self, option: str) -> str:
        return dict(self.option_labels).get(option) or EMAIL_CHOICES.get(option, option)

    @property
    def fixed(self) -> bool:
        return len(self.options) == 1

    @property
    def why_required(self) -> str:
        return WHY_REQUIRED.get(self.options, "")


_KINDS: dict[str, NotificationKind] = {}


def notification_kind_declare(
    code: str,
    *,
    label: str,
    options: tuple[str, ...] = ANY,
    default: str | None = None,
    roles=None,
    listed: bool = True,
    option_labels: tuple[tuple[str, str], ...] = (),
) -> NotificationKind:
    """Declare a kind of notification (from an AppConfig.ready()). Declaring it again with the
    same meaning is harmless; the default must be one of its options."""
    default = default or (IMMEDIATE if IMMEDIATE in options else options[0])
    if default not in options:
        raise ValueError(f"The default {default!r} of {code} is not one of its options {options!r}")
    kind = NotificationKind(
        code=code,
        label=label,
        options=tuple(options),
        default=default,
        roles=frozenset(roles) if roles is not None else None,
        listed=listed,
        option_labels=tuple(option_labels),
    )
    _KINDS[code] = kind
    return kind


def notification_kind(code: str) -> NotificationKind:
    """The declared kind; an undeclared one is e-mailed at once and cannot be changed, so a kind
    someone forgot to declare is never silently dropped."""
    return _KINDS.get(code) or NotificationKind(code=code, label=code, options=ALWAYS_AT_ONCE, listed=False)


def notification_kinds(*, role=None) -> list[NotificationKind]:
    """The listed kinds a role receives (all listed kinds when `role` is None), in declaration order."""
    return [k for k in _KINDS.values() if k.listed and (role is None or k.roles is None or role in k.roles)]


def notification_kind_declared(code: str) -> bool:
    return code in _KINDS


# The daily digest: itself a notification, so the outbox sends it once (eip.notifications.digest).
DIGEST_KIND = "notifications.digest"


def register():
    """The kinds the core sends."""
    from eip.people.models import Role

    notification_kind_declare(DIGEST_KIND, label="Your daily email", options=ALWAYS_AT_ONCE, listed=False)
    # Supervisors must see a blocked output the same day: something tried to leave with a
    # partner's or child's details.
    notification_kind_declare(
        "outbound.refused",
        label="An output was blocked for carrying third-party details",
        options=ALWAYS_AT_ONCE,
        roles={Role.SUPERVISOR},
    )
    # The account's own security: if someone else did this, its owner must hear at once.
    notification_kind_declare(
        "people.two_factor_changed", label="Your two-factor sign-in was changed", options=ALWAYS_AT_ONCE
    )
