"""`hrap remind`: queue reminder mail for reports due soon or overdue (run it daily)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from hrap.monitoring import notifications
from hrap.monitoring.tasks import send_deadline_reminder


class Command(BaseCommand):
    help = "Queue reminders to focal points whose reports are due soon or overdue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, default=None)
        parser.add_argument("--days", type=int, default=settings.HRAP_REMINDER_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        today = options["today"] or date.today()
        people = notifications.people_to_remind(today=today, days_before=options["days"])
        for user_id, reports in people.items():
            overdue = any(r.cycle.due < today for r in reports)
            send_deadline_reminder.enqueue(user_id, [r.pk for r in reports], overdue)
        self.stdout.write(f"queued reminders for {len(people)} people")
