"""Reminders and notices reach a real SMTP server, in each recipient's language; inbox and ICS."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import ProgressReport
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on this machine
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
        ):
            yield inbox
    finally:
        controller.stop()


def subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def person(name: str, role: str, agency, language: str):
    user = get_user_model().objects.create_user(
        name, email=f"{name}@example.org", password="pw-Secret-123!", language=language
    )
    Membership.objects.create(user=user, role=role, agency=agency)
    return user


@pytest.fixture
def open_cycle(sample_plan, staff, cycle):
    mee = agency_create(
        actor=system_actor(),
        code="mee",
        name={"en": "Ministry of Ecology and Environment", "zh-Hans": "生态环境部"},
    )
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    plan_services.assignment_set(node=node, actor=staff, agency=mee, role="lead")
    services.cycle_open(cycle=cycle, actor=staff)
    return {
        "cycle": cycle,
        "mee": mee,
        "zh": person("li", Role.FOCAL_POINT, mee, "zh-hans"),
        "en": person("ann", Role.FOCAL_POINT, mee, "en"),
    }


@pytest.mark.django_db(transaction=True)
def test_deadline_reminders_arrive_in_each_recipients_language(open_cycle, smtp: Inbox) -> None:
    out = io.StringIO()
    call_command("remind", "--today", "2024-01-25", stdout=out)
    assert out.getvalue().strip() == "queued reminders for 2 people"
    call_command("worker", "--batch")
    by_recipient = {m["To"]: m for m in smtp.messages}
    assert set(by_recipient) == {"li@example.org", "ann@example.org"}
    assert (
        subject(by_recipient["ann@example.org"]) == "HRAP: progress reports are due on 2024-01-31"
    )
    assert subject(by_recipient["li@example.org"]) == "HRAP：进展报告将于 2024-01-31 截止"
    assert "III.1.1" in body(by_recipient["li@example.org"]) and "生态环境部" in body(
        by_recipient["li@example.org"]
    )
    sent = AuditEvent.objects.filter(action="mail.deadline").values_list("actor", "after__to")
    assert set(sent) == {
        (system_actor().pk, "li@example.org"),
        (system_actor().pk, "ann@example.org"),
    }
    smtp.messages.clear()
    call_command("remind", "--today", "2024-02-05", stdout=io.StringIO())
    call_command("worker", "--batch")
    assert (
        subject(next(m for m in smtp.messages if m["To"] == "ann@example.org"))
        == "HRAP: progress reports are overdue"
    )


@pytest.mark.django_db(transaction=True)
def test_reviewers_hear_when_a_report_awaits_them(open_cycle, smtp: Inbox, staff) -> None:
    staff.email, staff.language = "secretariat@example.org", "en"
    staff.save()
    report = ProgressReport.objects.get(cycle=open_cycle["cycle"])
    with transaction.atomic():
        services.report_submit(report=report, actor=open_cycle["en"], version=report.version)
    call_command("worker", "--batch")
    assert [m["To"] for m in smtp.messages] == ["secretariat@example.org"]
    assert subject(smtp.messages[0]) == "HRAP: a report on III.1.1 awaits you"


@pytest.mark.django_db
def test_the_inbox_and_the_calendar_show_what_waits(open_cycle, client: Client) -> None:
    user = open_cycle["en"]
    client.force_login(user)
    page = client.get("/en/inbox/").content.decode()
    assert "Write and submit" in page and "III.1.1" in page and "2024-01-31" in page
    ics = Client().get(f"/en/calendar/{user.calendar_token}.ics")
    text = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20240131" in text and "SUMMARY:Progress reports due: " in text
    assert Client().get("/en/calendar/not-a-token.ics").status_code == 404
