from celery import shared_task

from .models import User
from .password_reset import password_reset_mail_send


# A reset mail is a single SMTP call; the mail server's own timeout (EMAIL_TIMEOUT) bounds it.
@shared_task(soft_time_limit=60, time_limit=90)
def password_reset_mail(user_id: int, subject_template_name: str, email_template_name: str) -> bool:
    """E-mail the reset link asked for on the "Forgotten your password?" page."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return password_reset_mail_send(
        user=user, subject_template_name=subject_template_name, email_template_name=email_template_name
    )
