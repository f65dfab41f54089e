"""The diary's panel of the home page (registered from DiaryConfig.ready())."""

from eip.people.models import Role

from .selectors import diary_counts


def diary_home_panel(user) -> dict:
    if user.role != Role.PRACTITIONER:
        return {}
    return {"diary": diary_counts(user=user)}
