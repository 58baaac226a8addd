"""What waits for whom: the inbox, reminders and notices follow the policy, region by region."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail

from hrap.accounts.models import Membership
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.monitoring import notifications, services
from hrap.monitoring.tasks import send_deadline_reminder, send_review_notice

pytestmark = pytest.mark.django_db


def inbox(places, name: str) -> set[tuple[str, str]]:
    return {
        (item.why, places.key(item.report))
        for item in notifications.waiting_for(places.people[name])
    }


def test_each_person_waits_for_their_own_reports_only(places) -> None:
    assert inbox(places, "regional-bj") == {
        ("write", "bjepb@CN-BJ"),
        ("write", "ndrc@CN-BJ"),
        ("write", "bjepb@CN-BJ-HD-1"),
    }
    assert inbox(places, "regional-haidian") == {("write", "bjepb@CN-BJ-HD-1")}
    assert inbox(places, "regional-sh") == set()
    assert inbox(places, "focal-ndrc") == {("write", "ndrc"), ("write", "ndrc@CN-BJ")}
    assert inbox(places, "focal-moj") == set()
    # Administrators may do anything; nothing is theirs to do unless a role says so.
    assert inbox(places, "admin") == inbox(places, "evaluator") == set()
    report = places.report("ndrc", "CN-BJ")
    services.report_submit(report=report, actor=places.people["focal-ndrc"], version=1)
    assert inbox(places, "reviewer-bjepb") == {("consolidate", "ndrc@CN-BJ")}
    assert inbox(places, "reviewer-mee") == set()
    assert ("write", "ndrc@CN-BJ") not in inbox(places, "regional-bj")
    lead = places.report("bjepb", "CN-BJ-HD-1")
    services.report_submit(report=lead, actor=places.people["regional-bj"], version=1)
    assert inbox(places, "secretariat") == {("review", "bjepb@CN-BJ-HD-1")}
    services.report_return(
        report=places.report("bjepb", "CN-BJ-HD-1"),
        actor=places.people["secretariat"],
        version=2,
        reason="Add the number of stations.",
    )
    assert ("revise", "bjepb@CN-BJ-HD-1") in inbox(places, "regional-haidian")


def reminded(places) -> dict[str, set[str]]:
    people = notifications.people_to_remind(today=date(2024, 1, 30), days_before=7)
    names = {user.pk: name for name, user in places.people.items()}
    return {names[pk]: {places.key(r) for r in reports} for pk, reports in people.items()}


def test_reminders_go_to_whoever_writes_the_report_regions_included(places) -> None:
    assert reminded(places) == {
        "focal-mee": {"mee"},
        "focal-ndrc": {"ndrc", "ndrc@CN-BJ"},
        "focal-bjepb": {"bjepb@CN-BJ", "bjepb@CN-BJ-HD-1"},
        "regional-cn": {"bjepb@CN-BJ", "ndrc@CN-BJ", "bjepb@CN-BJ-HD-1"},
        "regional-bj": {"bjepb@CN-BJ", "ndrc@CN-BJ", "bjepb@CN-BJ-HD-1"},
        "regional-haidian": {"bjepb@CN-BJ-HD-1"},
    }
    assert notifications.people_to_remind(today=date(2024, 1, 1), days_before=7) == {}


def test_mail_names_only_what_still_waits_for_the_recipient_and_is_audited(places) -> None:
    region = places.people["regional-bj"]
    local = [places.report("bjepb", "CN-BJ"), places.report("ndrc", "CN-BJ")]
    national = places.report("mee")
    # Queued with a report of another place among them (as a forged or stale task would be):
    assert send_deadline_reminder.call(region.pk, [r.pk for r in [*local, national]], False)
    [message] = mail.outbox
    assert message.to == ["regional-bj@example.org"]
    assert f"/reports/{local[0].pk}/" in message.body and f"/reports/{local[1].pk}/" in message.body
    assert f"/reports/{national.pk}/" not in message.body
    event = AuditEvent.objects.filter(action="mail.deadline").get()
    assert event.actor == system_actor()
    assert (event.target_type, event.target_id) == ("accounts.user", str(region.pk))
    assert event.after == {"to": "regional-bj@example.org", "reports": [r.pk for r in local]}
    # Submitted meanwhile: nothing is left to remind of, no mail.
    services.report_submit(report=local[1], actor=region, version=1)
    assert not send_deadline_reminder.call(region.pk, [local[1].pk], True)
    assert len(mail.outbox) == 1


def test_a_notice_reaches_a_reviewer_only_while_the_report_waits_for_them(places) -> None:
    report = places.report("ndrc")
    services.report_submit(report=report, actor=places.people["focal-ndrc"], version=1)
    reviewer, stranger = places.people["reviewer-mee"], places.people["reviewer-bjepb"]
    assert not send_review_notice.call(stranger.pk, report.pk)  # not the national lead
    Membership.objects.filter(user=reviewer).delete()  # left the agency before the worker ran
    assert not send_review_notice.call(reviewer.pk, report.pk)
    assert mail.outbox == []
    Membership.objects.create(user=reviewer, role="lead_reviewer", agency=places.agencies["mee"])
    assert send_review_notice.call(reviewer.pk, report.pk)
    assert [m.to for m in mail.outbox] == [["reviewer-mee@example.org"]]
    event = AuditEvent.objects.get(action="mail.review")
    assert event.actor == system_actor() and event.target_id == str(report.pk)
