"""A co-implementer's input goes to the lead agency of its own place (national for national)."""

from __future__ import annotations

import pytest

from hrap.core.errors import InvalidTransition, PermissionDenied
from hrap.monitoring import notifications, services

pytestmark = pytest.mark.django_db


def write_and_submit(places, agency: str, place: str | None, who: str, text: str):
    report = places.report(agency, place)
    report = services.report_save(
        report=report, actor=places.people[who], version=report.version, narrative=text
    )
    return services.report_submit(report=report, actor=places.people[who], version=report.version)


def test_a_national_input_is_consolidated_into_the_national_lead_report(places) -> None:
    national = write_and_submit(places, "ndrc", None, "focal-ndrc", "Funds for stations.")
    assert notifications.reviewers_of(national) == [places.people["reviewer-mee"].pk]
    with pytest.raises(PermissionDenied):  # Beijing's lead has no say over the national report
        services.report_consolidate(
            report=national, actor=places.people["reviewer-bjepb"], version=national.version
        )
    services.report_consolidate(
        report=national, actor=places.people["reviewer-mee"], version=national.version
    )
    assert (
        places.report("mee").narrative
        == "[National Development and Reform Commission] Funds for stations."
    )
    assert places.report("bjepb", "CN-BJ").narrative == ""
    # Beijing's inputs, not consolidated yet, do not hold up the national report.
    lead = places.report("mee")
    lead = services.report_submit(
        report=lead, actor=places.people["focal-mee"], version=lead.version
    )
    assert lead.state == "submitted"
    assert notifications.reviewers_of(lead) == [places.people["secretariat"].pk]


def test_a_local_input_is_consolidated_by_the_local_lead(places) -> None:
    local = write_and_submit(places, "ndrc", "CN-BJ", "regional-bj", "Beijing: 40 stations.")
    assert notifications.reviewers_of(local) == [places.people["reviewer-bjepb"].pk]
    with pytest.raises(PermissionDenied):
        services.report_consolidate(
            report=local, actor=places.people["reviewer-mee"], version=local.version
        )
    services.report_consolidate(
        report=local, actor=places.people["reviewer-bjepb"], version=local.version
    )
    assert (
        places.report("bjepb", "CN-BJ").narrative
        == "[National Development and Reform Commission] Beijing: 40 stations."
    )
    assert places.report("mee").narrative == ""


def test_a_local_lead_report_waits_for_its_own_places_inputs_only(places) -> None:
    town = places.report("bjepb", "CN-BJ-HD-1")  # no co-implementer in the town
    town = services.report_submit(
        report=town, actor=places.people["regional-haidian"], version=town.version
    )
    assert town.state == "submitted"
    beijing = places.report("bjepb", "CN-BJ")

    with pytest.raises(
        InvalidTransition,
        match="National Development and Reform Commission",
    ):
        services.report_submit(
            report=beijing, actor=places.people["focal-bjepb"], version=beijing.version
        )
