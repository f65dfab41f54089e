from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Submit
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.validators import MaxLengthValidator

from eip.audit.models import AuditEvent
from eip.fields import DateField


def _helper(*fields, submit: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template owns the <form> and its CSRF token
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class SignInForm(AuthenticationForm):
    error_messages = {
        # The same words whether or not the account exists.
        "invalid_login": "Enter a correct email address and password.",
        "inactive": "Enter a correct email address and password.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        # AuthenticationForm sets max_length after the field is built, so it is never checked: a
        # longer name would reach the failed-sign-in log (django-axes) and overflow its column.
        self.fields["username"].validators.append(MaxLengthValidator(254))
        self.fields["username"].widget.attrs.update(autocomplete="username", spellcheck="false")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")
        self.helper = _helper(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.TWO_THIRDS),
            submit="Sign in",
        )


class PasswordResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.helper = _helper(Field.text("email"), submit="Send reset link")

    def save(self, **kwargs):
        """Nothing is mailed during the request: a worker builds the link and sends it after the
        response has gone (eip.people.password_reset), so a slow mail server or broker never
        holds the page. If the broker cannot take it, the person sees the same page and can ask again."""
        from eip.notifications.publish import publish_after_response
        from eip.people.tasks import password_reset_mail

        for user in self.get_users(self.cleaned_data["email"]):
            publish_after_response(
                password_reset_mail, user.pk, kwargs["subject_template_name"], kwargs["email_template_name"]
            )


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("new_password1"), Field.text("new_password2"), submit="Save password")


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("old_password"),
            Field.text("new_password1"),
            Field.text("new_password2"),
            submit="Change password",
        )


class AuditSearchForm(forms.Form):
    actor_email = forms.CharField(label="Person's email address", required=False)
    record = forms.CharField(label="Record reference", required=False, help_text="For example, EIP-2026-0004")
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AuditEvent.Action.choices])
    date_from = DateField(label="From", required=False, help_text="For example, 27 3 2026")
    date_to = DateField(label="To", required=False, help_text="For example, 30 3 2026")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("actor_email"),
            Field.text("record"),
            Field.select("action"),
            Field("date_from"),
            Field("date_to"),
            Submit("search", "Search", css_class="govuk-button--secondary"),
        )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The ‘to’ date must be the same as or after the ‘from’ date.")
        return data


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        error_messages={"required": "Enter the code"},
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocomplete="one-time-code", spellcheck="false")
        self.helper = _helper(Field.text("code", field_width=Fluid.ONE_THIRD), submit="Continue")


class NotificationSettingsForm(forms.Form):
    """One e-mail choice per kind of notification the user receives; kinds that must always be
    e-mailed at once have no field (the page says so)."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind, chosen in preferences:
            if not kind.fixed:
                self.fields[kind.code] = forms.ChoiceField(
                    label=kind.label,
                    choices=[(option, kind.option_label(option)) for option in kind.options],
                    initial=chosen,
                    widget=forms.RadioSelect,
                    # Not sent: left as it is (every radio group starts with one chosen).
                    required=False,
                    error_messages={"invalid_choice": f"Choose one of the options for “{kind.label.lower()}”"},
                )
            self.rows.append((kind, chosen, self[kind.code] if kind.code in self.fields else None))

    def choices(self) -> dict[str, str]:
        return {code: email for code, email in self.cleaned_data.items() if email}


class PasskeyNameForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=64,
        error_messages={
            "required": "Enter a name for the passkey",
            "max_length": "The name must be 64 characters or fewer",
        },
        help_text="So you can tell your passkeys apart, for example “Work laptop” or “Security key”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.helper = _helper(Field.text("name", field_width=Fluid.TWO_THIRDS), submit="Save")
