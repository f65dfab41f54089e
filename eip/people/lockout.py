"""Which account a sign-in attempt counts against, for the lockout (django-axes).

Sign-in finds the account whatever the capitals and surrounding spaces (`get_by_natural_key`
matches case-insensitively, after the form trims and NFKC-normalises what was typed), so the
lockout must count every spelling of an address as one: otherwise each spelling gets its own
five attempts.
"""

import unicodedata

# Longer than any address the sign-in form accepts (it refuses more than 254 characters).
_LONGEST = 254


def lockout_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account's own address when the typed one signs in to an
    account, otherwise the typed address trimmed and lower-cased."""
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "POST", {}).get("username")
    if typed is None:
        return None
    typed = unicodedata.normalize("NFKC", str(typed)).strip()
    cached = getattr(request, "_eip_lockout_username", None)
    if cached and cached[0] == typed:
        return cached[1]
    key = typed.lower()
    if typed and len(typed) <= _LONGEST and "\x00" not in typed:
        from eip.people.models import User

        # The same match sign-in makes (the database's case-insensitive comparison), so an
        # address that signs in to an account is always counted against that account.
        account = User.objects.filter(email__iexact=typed).values_list("email", flat=True).first()
        key = (account or typed).lower()
    if request is not None:
        request._eip_lockout_username = (typed, key)
    return key
