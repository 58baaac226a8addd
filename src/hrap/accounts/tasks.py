"""Background work for accounts: the password link an administrator sends to an account's owner."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_tasks import task

from hrap.accounts.models import User


@task()
def send_password_reset(user_id: int) -> bool:
    """The link is made when the mail is sent, so it is valid from then on (and only once)."""
    user = (
        User.objects.filter(pk=user_id, is_active=True, is_system=False).exclude(email="").first()
    )
    if user is None:
        return False
    site = urlsplit(settings.HRAP_SITE_URL)
    with translation.override(user.language):
        body = render_to_string(
            "accounts/password_reset_email.txt",
            {
                "protocol": site.scheme,
                "domain": site.netloc,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
                "by_administrator": True,
                "user": user,
            },
        )
        subject = _("Choose a password for your HRAP account")
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
