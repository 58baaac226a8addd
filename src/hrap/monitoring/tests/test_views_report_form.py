"""The report page as its people meet it: one form for the text, the files and the steps, so
nothing typed is lost; messages that name the step and the new state; only the steps the person
may take now; the lead report and its inputs linked both ways; the values of the cycle."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.monitoring import services
from hrap.monitoring.models import ProgressReport
from hrap.monitoring.tasks import send_return_notice
from hrap.plans.models import Indicator, Target

pytestmark = pytest.mark.django_db
NDRC = "National Development and Reform Commission"
TEXT = {"progress": "on_track", "measures": "", "difficulties": "", "next_steps": ""}


def url(places: Any, report: ProgressReport, lang: str = "en") -> str:
    return f"/{lang}/cycles/{places.plan.slug}/2023/reports/{report.pk}/"


def client_of(places: Any, name: str | None) -> Client:
    client = Client()
    if name:
        client.force_login(places.people[name])
    return client


def post(places: Any, name: str, report: ProgressReport, **data: Any) -> tuple[int, str]:
    """Post the report form as a browser would, and follow to the page it lands on."""
    response = client_of(places, name).post(url(places, report), data, follow=True)
    return response.status_code, response.content.decode()


def buttons(html: str) -> set[str]:
    return set(re.findall(r'<button type="submit" name="step" value="(\w+)"', html))


def submitted_by_system(report: ProgressReport) -> ProgressReport:
    return services.report_submit(report=report, actor=system_actor(), version=report.version)


def test_text_typed_and_not_saved_is_submitted_with_the_submit(places) -> None:
    report = places.report("ndrc")
    status, page = post(
        places, "focal-ndrc", report, step="submit", version=1, **TEXT, narrative="40 stations."
    )
    report.refresh_from_db()
    assert status == 200 and (report.state, report.narrative) == ("submitted", "40 stations.")
    assert "Submitted: your input now awaits consolidation by the lead agency." in page
    # One audit event for the text, one for the step: both in the trail.
    actions = list(
        AuditEvent.objects.filter(target_id=str(report.pk), action__startswith="report.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["report.save", "report.submit"]


def test_a_refused_submit_keeps_the_text_and_names_the_agencies(places) -> None:
    lead = places.report("mee")
    _, page = post(
        places, "focal-mee", lead, step="submit", version=1, **TEXT, narrative="PM2.5 fell."
    )
    lead.refresh_from_db()
    assert (lead.state, lead.narrative) == ("draft", "PM2.5 fell.")  # saved, not submitted
    assert f"not consolidated yet ({NDRC})" in page and "[ndrc]" not in page
    assert "PM2.5 fell.</textarea>" in page


def test_attaching_a_file_saves_the_text_typed_beside_it(places) -> None:
    report = places.report("ndrc")
    note = SimpleUploadedFile("note.txt", b"stations")
    _, page = post(
        places, "focal-ndrc", report, step="attach", version=1, evidence=note, **TEXT,
        narrative="Typed before attaching.",
    )  # fmt: skip
    report.refresh_from_db()
    assert report.narrative == "Typed before attaching." and report.evidence.count() == 1
    assert "The file is attached." in page and "note.txt" in page


def test_a_stale_save_shows_both_texts_and_does_not_submit(places) -> None:
    report = places.report("ndrc")
    services.report_save(
        report=report, actor=places.people["focal-ndrc"], version=1, narrative="Theirs."
    )
    status, page = post(
        places, "focal-ndrc", report, step="submit", version=1, **TEXT, narrative="Mine."
    )
    report.refresh_from_db()
    assert status == 200 and (report.state, report.narrative) == ("draft", "Theirs.")
    assert "Theirs." in page and "Mine.</textarea>" in page
    assert "Nothing else was done: merge the texts first." in page


def test_text_posted_after_the_report_was_submitted_is_shown_not_lost(places) -> None:
    report = submitted_by_system(places.report("ndrc"))
    status, page = post(
        places, "focal-ndrc", report, step="save", version=1, **TEXT, narrative="Late words."
    )
    assert status == 200 and "Late words." in page
    assert "Not saved: the report is submitted now" in page
    assert ProgressReport.objects.get(pk=report.pk).narrative == ""


@pytest.mark.parametrize(
    ("state", "who", "offered"),
    [
        ("submitted", "secretariat", {"approve", "return"}),
        ("approved", "secretariat", {"publish"}),
        ("published", "secretariat", set()),
        ("published", "admin", set()),
        ("draft", "focal-mee", {"save", "attach", "submit"}),
        ("submitted", "reviewer-mee", set()),  # the lead's own report: nothing to consolidate
    ],
)
def test_only_the_steps_the_person_may_take_now_are_offered(places, state, who, offered) -> None:
    lead = places.report("mee")
    ProgressReport.objects.filter(pk=lead.pk).update(state=state)
    page = client_of(places, who).get(url(places, lead)).content.decode()
    assert buttons(page) == offered


@pytest.mark.parametrize("step", ["approve", "publish", "return", "submit"])
def test_a_step_pressed_on_a_published_report_answers_a_message(places, step) -> None:
    lead = places.report("mee")
    ProgressReport.objects.filter(pk=lead.pk).update(state="published", version=5)
    who = "focal-mee" if step == "submit" else "secretariat"
    before = AuditEvent.objects.count()
    for address in (url(places, lead), url(places, lead) + f"{step}/"):
        response = client_of(places, who).post(
            address, {"step": step, "version": 5, "reason": "x"}, follow=True
        )
        assert response.status_code == 200
        assert "this report now: it is published." in response.content.decode()
    assert AuditEvent.objects.count() == before
    # Someone who holds no such step is refused, not told about the state.
    response = client_of(places, "evaluator").post(url(places, lead) + "approve/", {"version": 5})
    assert response.status_code == 403


def test_absurd_step_input_is_a_clear_answer(places) -> None:
    lead = places.report("mee")
    client = client_of(places, "focal-mee")
    assert client.post(url(places, lead), {"step": "explode"}).status_code == 404
    assert client.post(url(places, lead), {"step": "submit", "version": "abc"}).status_code == 400
    assert client.post(url(places, lead), {"step": "submit", "version": "1e30"}).status_code == 400
    big = {"step": "submit", "version": "9" * 5000}
    assert client.post(url(places, lead), big).status_code == 400
    missing = client.post(url(places, lead), {"step": "save", "version": 1, "narrative": "x"})
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()


def test_messages_name_the_step_done_and_the_new_state(places) -> None:
    lead = places.report("mee")
    co = places.report("ndrc")
    ProgressReport.objects.filter(pk=co.pk).update(state="consolidated")
    _, page = post(places, "focal-mee", lead, step="submit", version=1, **TEXT, narrative="x")
    assert "Submitted: the report is now awaiting review by the secretariat." in page
    _, page = post(places, "secretariat", lead, step="return", version=3, reason="Add figures.")
    assert "Returned to the agency for revision." in page
    assert '<section class="return-reason"' in page and "Add figures." in page
    assert "Done:" not in page


def test_the_lead_report_and_its_inputs_link_to_each_other(places) -> None:
    lead, co = places.report("mee"), places.report("ndrc")
    page = client_of(places, "reviewer-mee").get(url(places, lead)).content.decode()
    assert f'<a href="{url(places, co)}">{NDRC}</a>' in page
    page = client_of(places, "focal-ndrc").get(url(places, co)).content.decode()
    assert "Lead agency&#x27;s report" not in page or url(places, lead) not in page  # not theirs
    co = submitted_by_system(co)
    _, page = post(places, "reviewer-mee", co, step="consolidate", version=co.version)
    assert "Consolidated: the input is now part of the lead agency&#x27;s report." in page
    assert f'href="{url(places, lead)}" class="lead-link"' in page
    lead.refresh_from_db()
    assert f"[{NDRC}] " in lead.narrative or lead.narrative == ""


def test_the_lead_reviewer_returns_an_input_with_a_reason(
    places, django_capture_on_commit_callbacks
) -> None:
    co = submitted_by_system(places.report("ndrc"))
    page = client_of(places, "reviewer-mee").get(url(places, co)).content.decode()
    assert buttons(page) == {"consolidate", "return"}
    # Without a reason: refused, nothing changes.
    _, page = post(places, "reviewer-mee", co, step="return", version=co.version, reason=" ")
    assert "Say what the agency should revise." in page
    assert ProgressReport.objects.get(pk=co.pk).state == "submitted"
    # Another lead's reviewer may not (Beijing's bureau does not lead the national report).
    stranger = client_of(places, "reviewer-bjepb")
    assert (
        stranger.post(
            url(places, co) + "return/", {"version": co.version, "reason": "x"}
        ).status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _, page = post(
            places,
            "reviewer-mee",
            co,
            step="return",
            version=co.version,
            reason="Count the stations.",
        )
    assert f"Returned to {NDRC} for revision." in page
    co.refresh_from_db()
    assert (co.state, co.return_reason) == ("returned", "Count the stations.")
    event = AuditEvent.objects.filter(action="report.return_input").get()
    assert event.actor == places.people["reviewer-mee"] and event.target_id == str(co.pk)
    assert len(callbacks) == 1  # the notice to the co-implementer's writers, after commit
    assert send_return_notice.call(places.people["focal-ndrc"].pk, co.pk)
    [message] = mail.outbox
    assert "Count the stations." in message.body and message.to == ["focal-ndrc@example.org"]
    page = client_of(places, "focal-ndrc").get(url(places, co)).content.decode()
    assert '<section class="return-reason"' in page and buttons(page) == {
        "save",
        "attach",
        "submit",
    }


def test_a_published_report_shows_the_values_of_its_cycle_marked_and_with_units(places) -> None:
    target = Target.objects.get(node=places.node, indicator__name__en__startswith="average PM2.5")
    Indicator.objects.filter(pk=target.indicator_id).update(unit="μg/m³")
    for period, value, status in (("2023", "37.5", "final"), ("2024", "36.5", "provisional")):
        services.observation_record(
            indicator=target.indicator, jurisdiction=places.plan.jurisdiction, period=period,
            value=Decimal(value), actor=system_actor(), status=status,
        )  # fmt: skip
    lead = places.report("mee")
    ProgressReport.objects.filter(pk=lead.pk).update(state="published")
    for who in (None, "secretariat"):
        page = client_of(places, who).get(url(places, lead)).content.decode()
        assert "<td>37.5 μg/m³</td>" in page, who
        assert "36.5" not in page, who  # a later year's value is not this cycle's
    services.observation_record(
        indicator=target.indicator, jurisdiction=places.plan.jurisdiction, period="2023",
        value=Decimal("37.9"), actor=system_actor(), status="provisional",
    )  # fmt: skip
    page = client_of(places, None).get(url(places, lead, "zh-hans")).content.decode()
    assert '37.9 μg/m³ <span class="provisional">' in page


def test_a_relative_per_cent_target_does_not_give_its_per_cent_to_the_indicator(places) -> None:
    target = Target.objects.get(node=places.node, indicator__name__en__startswith="average PM2.5")
    assert (target.unit, target.relative, target.indicator.unit) == ("%", True, "")
    admin = client_of(places, "admin")
    page = admin.get(f"/en/indicators/{target.indicator_id}/values/").content.decode()
    assert "(%)" not in page


def test_the_public_sees_a_published_report_and_no_form(places) -> None:
    lead = places.report("mee")
    assert Client().get(url(places, lead)).status_code == 404
    ProgressReport.objects.filter(pk=lead.pk).update(state="published")
    page = Client().get(url(places, lead)).content.decode()
    assert '<form method="post" enctype' not in page and buttons(page) == set()
    assert not AnonymousUser().is_authenticated
