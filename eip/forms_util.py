"""Helpers for pages that show several forms under one GOV.UK error summary."""


def field_anchor(field) -> str:
    """The id an error summary links to for a bound field: its input, or for radios and
    checkboxes the first one (GOV.UK Frontend numbers them from 1)."""
    from django import forms

    if isinstance(field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{field.auto_id}_1"
    return field.id_for_label or field.auto_id


def error_summary(*forms) -> list[tuple[str, str]]:
    """(anchor id, message) for every error on the page, in page order."""
    items = []
    for form in forms:
        for subform in getattr(form, "forms", [form]):
            for error in subform.non_field_errors():
                first = next(iter(subform.visible_fields()), None)
                items.append((first.id_for_label if first else "main-content", error))
            for field in subform.visible_fields():
                for error in field.errors:
                    items.append((field_anchor(field), error))
        for error in getattr(form, "non_form_errors", lambda: [])():
            items.append(("main-content", error))
    return items


def add_errors(errors: dict[str, str], forms_by_prefix: dict) -> None:
    """Put a service's field -> message errors beside the fields they belong to."""
    for key, message in errors.items():
        prefix, _, name = key.rpartition("-")
        form = forms_by_prefix.get(prefix) or forms_by_prefix[""]
        if name in form.fields:
            form.add_error(name, message)
        else:
            form.add_error(None, message)


def submit(request, form, perform, success: str, forms_by_prefix=None, arguments=None) -> bool:
    """Validate a form, call a service with its data, and show the outcome: a success
    message, or the service's refusal beside the fields it concerns. True when done."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError

    from eip.errors import Incomplete, Refused

    if not form.is_valid():
        return False
    try:
        perform(arguments() if arguments else form.cleaned_data)
    except Incomplete as incomplete:
        add_errors(incomplete.errors, forms_by_prefix or {"": form})
        return False
    except Refused as refused:
        form.add_error(None, str(refused))
        return False
    except ValidationError as invalid:  # a service's full_clean(): too long, too many digits...
        errors = invalid.message_dict if hasattr(invalid, "error_dict") else {"": invalid.messages}
        add_errors({name: " ".join(texts) for name, texts in errors.items()}, forms_by_prefix or {"": form})
        return False
    messages.success(request, success)
    return True
