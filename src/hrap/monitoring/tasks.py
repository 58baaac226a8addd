"""Background work: reminder and notification mail, sent in each recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from hrap.monitoring.models import ProgressReport


def _mail(user_id: int, template: str, context: dict[str, object]) -> bool:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return False
    with translation.override(user.language):
        subject = render_to_string(f"monitoring/mail/{template}_subject.txt", context).strip()
        body = render_to_string(
            f"monitoring/mail/{template}.txt",
            {**context, "user": user, "site": settings.HRAP_SITE_URL},
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


@task()
def send_deadline_reminder(user_id: int, report_ids: list[int], overdue: bool) -> bool:
    reports = list(
        ProgressReport.objects.filter(pk__in=report_ids).select_related(
            "cycle__plan", "node", "agency"
        )
    )
    if not reports:
        return False
    return _mail(
        user_id, "deadline", {"reports": reports, "overdue": overdue, "due": reports[0].cycle.due}
    )


@task()
def send_review_notice(user_id: int, report_id: int) -> bool:
    report = (
        ProgressReport.objects.filter(pk=report_id)
        .select_related("cycle__plan", "node", "agency")
        .first()
    )
    if report is None:
        return False
    return _mail(user_id, "review", {"report": report})
