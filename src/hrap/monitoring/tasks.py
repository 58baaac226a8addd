"""Background work: reminder and notification mail, sent in each recipient's language.

The worker acts as the system actor: each message it sends is an audit event in its name. What a
message lists is asked again when it is sent, as the recipient, so a report the person may no
longer act on (submitted meanwhile, or their membership gone) is not named in it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from hrap.accounts.models import User
from hrap.accounts.system import system_actor
from hrap.core import audit
from hrap.monitoring.notifications import still_waits_for


def _recipient(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()


def _mail(user: User, template: str, context: dict[str, object], about: models.Model) -> None:
    with translation.override(user.language):
        subject = render_to_string(f"monitoring/mail/{template}_subject.txt", context).strip()
        body = render_to_string(
            f"monitoring/mail/{template}.txt",
            {**context, "user": user, "site": settings.HRAP_SITE_URL},
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    audit.record(
        actor=system_actor(),
        action=f"mail.{template}",
        target=about,
        after={"to": user.email, "reports": context["report_ids"]},
    )


@task()
def send_deadline_reminder(user_id: int, report_ids: list[int], overdue: bool) -> bool:
    user = _recipient(user_id)
    if user is None:
        return False
    reports = still_waits_for(user, report_ids, "write", "revise")
    if not reports:
        return False
    context = {
        "reports": reports,
        "overdue": overdue,
        "due": reports[0].cycle.due,
        "report_ids": [r.pk for r in reports],
    }
    _mail(user, "deadline", context, about=user)
    return True


@task()
def send_review_notice(user_id: int, report_id: int) -> bool:
    user = _recipient(user_id)
    if user is None:
        return False
    reports = still_waits_for(user, [report_id], "consolidate", "review")
    if not reports:
        return False
    _mail(user, "review", {"report": reports[0], "report_ids": [report_id]}, about=reports[0])
    return True


@task()
def send_return_notice(user_id: int, report_id: int) -> bool:
    """To those who write a report: it came back, and why."""
    user = _recipient(user_id)
    if user is None:
        return False
    reports = still_waits_for(user, [report_id], "revise")
    if not reports:
        return False
    _mail(user, "return", {"report": reports[0], "report_ids": [report_id]}, about=reports[0])
    return True
