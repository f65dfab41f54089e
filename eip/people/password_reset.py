"""Sending the "reset your password" e-mail. Django's PasswordResetForm knows how to make the
one-hour link and whom to send it to; it is used here as that machinery only (in a worker), while
the page's own form (eip.forms) just queues the work."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMessage
from django.template import loader

from eip import outbound


class _GuardedResetMail(PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        # As Django's, through the outbound guard like every e-mail (it concerns no case).
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMessage(subject, body, from_email, [to_email])
        outbound.outbound_release(
            content=message,
            audience=outbound.audience_for(context["user"]),
            channel="email",
            label="a password reset e-mail",
        )
        message.send()


def password_reset_mail_send(*, user, subject_template_name: str, email_template_name: str) -> bool:
    """E-mail `user` a reset link, made now so it is valid for its full hour. The link is built
    from the configured address, never from a request's Host header, which whoever asks for the
    reset chooses. False when the account can no longer reset its password."""
    form = _GuardedResetMail({"email": user.email})
    if not form.is_valid():
        return False
    base = settings.EIP_BASE_URL.rstrip("/")
    parts = urlsplit(base)
    form.save(
        domain_override=parts.netloc,
        use_https=parts.scheme == "https",
        extra_email_context={"base_url": base},
        subject_template_name=subject_template_name,
        email_template_name=email_template_name,
    )
    return True
