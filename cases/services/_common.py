"""What every case-work step shares: a model checked before it is saved, with the
model's refusals keyed by field, and the link a notification carries to the case."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from ..kernel import CaseIncomplete


def clean_and_save(instance):
    try:
        instance.full_clean()
    except ValidationError as error:
        raise CaseIncomplete({field: " ".join(messages) for field, messages in error.message_dict.items()}) from None
    instance.save()
    return instance


def case_link(case):
    return reverse("case-detail", args=[case.pk])
