"""Who may do what to which report: the policy's one rule, read three ways that must agree.

`can` answers for one report, `report_q` filters lists, `report_people` finds whom a report waits
for. Each is checked against the others on every person × report × action, in several states,
and the rule itself against what a person would expect of each role.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from hrap.accounts import policy
from hrap.accounts.system import system_actor
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring.models import ProgressReport

pytestmark = pytest.mark.django_db

LOCAL = {"bjepb@CN-BJ", "ndrc@CN-BJ", "bjepb@CN-BJ-HD-1"}
EVERY = {"mee", "ndrc"} | LOCAL

# What each person may see and write while every report is a draft: the rule in plain words.
SEES = {
    "admin": EVERY,
    "secretariat": EVERY,
    "evaluator": EVERY,
    "member": set(),
    "focal-mee": {"mee", "ndrc"},  # its own, and its co-implementer's input to its national lead
    "reviewer-mee": {"mee", "ndrc"},
    "focal-ndrc": {"ndrc", "ndrc@CN-BJ"},
    "reviewer-ndrc": {"ndrc", "ndrc@CN-BJ"},
    "focal-moj": set(),
    "focal-bjepb": {"bjepb@CN-BJ", "ndrc@CN-BJ", "bjepb@CN-BJ-HD-1"},  # leads in Beijing only
    "reviewer-bjepb": {"bjepb@CN-BJ", "ndrc@CN-BJ", "bjepb@CN-BJ-HD-1"},
    "regional-cn": LOCAL,  # every place below; national reports are the agencies'
    "regional-bj": LOCAL,  # its own place and those below, to any depth
    "regional-haidian": {"bjepb@CN-BJ-HD-1"},  # not Beijing's, which is above it
    "regional-sh": set(),  # nothing of another region
}
WRITES = {
    "admin": EVERY,
    "focal-mee": {"mee"},
    "focal-ndrc": {"ndrc", "ndrc@CN-BJ"},
    "focal-bjepb": {"bjepb@CN-BJ", "bjepb@CN-BJ-HD-1"},
    "regional-cn": LOCAL,
    "regional-bj": LOCAL,
    "regional-haidian": {"bjepb@CN-BJ-HD-1"},
}
# (every report submitted: only a co-implementer's submitted input is consolidated)
CONSOLIDATES = {
    "admin": {"ndrc", "ndrc@CN-BJ"},
    # the lead of a report is the lead assignment for its own place (national for national)
    "reviewer-mee": {"ndrc"},
    "reviewer-bjepb": {"ndrc@CN-BJ"},
}


def viewers(places: Any) -> dict[str, Any]:
    return {**places.people, "anonymous": AnonymousUser(), "nobody": None}


def may(places: Any, user: Any, action: str) -> set[str]:
    return {
        places.key(r)
        for r in ProgressReport.objects.filter(cycle=places.cycle).select_related(
            "agency", "jurisdiction"
        )
        if policy.can(user, action, r)
    }


def listed(places: Any, user: Any, action: str, duty: bool = False) -> set[str]:
    return {
        places.key(r)
        for r in ProgressReport.objects.filter(cycle=places.cycle)
        .filter(policy.report_q(user, action, duty=duty))
        .select_related("agency", "jurisdiction")
    }


def fresh(user: Any) -> Any:
    """The same person in a new request (the policy keeps per-request caches on the user)."""
    if user is None or not user.is_authenticated:
        return user
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize(
    ("action", "expected"),
    [("report.view", SEES), ("report.edit", WRITES), ("report.consolidate", CONSOLIDATES)],
)
def test_each_role_reaches_the_reports_a_person_would_expect(places, action, expected) -> None:
    if action == "report.consolidate":
        ProgressReport.objects.filter(cycle=places.cycle).update(state="submitted")
    found = {name: may(places, fresh(user), action) for name, user in viewers(places).items()}
    assert found == {name: expected.get(name, set()) for name in found}


STATES = [
    {},  # every report a draft
    {
        "mee": "submitted",
        "ndrc": "consolidated",
        "bjepb@CN-BJ": "returned",
        "ndrc@CN-BJ": "submitted",
        "bjepb@CN-BJ-HD-1": "published",
    },
    {"mee": "published", "ndrc": "approved", "ndrc@CN-BJ": "returned"},
]


@pytest.mark.parametrize("states", STATES)
def test_the_rule_the_lists_and_the_people_agree(places, states) -> None:
    for report in ProgressReport.objects.filter(cycle=places.cycle):
        report.state = states.get(places.key(report), "draft")
        report.save(update_fields=["state"])
    reports = list(ProgressReport.objects.filter(cycle=places.cycle))
    for action in sorted(policy.REPORT_ACTIONS):
        waits_for = policy.report_people(action, reports)
        for name, user in viewers(places).items():
            allowed = may(places, fresh(user), action)
            assert listed(places, fresh(user), action) == allowed, (action, name)
            duties = listed(places, fresh(user), action, duty=True)
            assert duties <= allowed, (action, name)
            if user is not None and user.is_authenticated:
                people = {places.key(r) for r in reports if user.pk in waits_for.get(r.pk, set())}
                assert people == duties, (action, name)


def test_a_state_limits_the_writers_and_publication_opens_a_report_to_all(places) -> None:
    report = places.report("bjepb", "CN-BJ")
    region = places.people["regional-bj"]
    assert policy.can(region, "report.edit", report)
    report.state = "submitted"
    assert not policy.can(region, "report.edit", report)
    assert policy.can(region, "report.view", report)
    assert not policy.can(AnonymousUser(), "report.view", report)
    report.state = "published"
    assert policy.can(AnonymousUser(), "report.view", report)
    assert policy.can(places.people["regional-sh"], "report.view", report)
    assert not policy.can(None, "report.view", report)  # there is no "nobody"
    # Nobody rewrites a published report, administrators and HRAP itself included.
    assert not policy.can(system_actor(), "report.edit", report)
    assert not policy.can(places.people["admin"], "report.edit", report)
    report.state = "draft"
    assert policy.can(system_actor(), "report.edit", report)


STEPS_NOW = {
    # state, lead → the steps of the report then, for the roles that hold them
    ("draft", True): {"report.edit", "report.submit"},
    ("submitted", True): {"report.return", "report.approve"},
    ("approved", True): {"report.publish"},
    ("published", True): set(),
    ("submitted", False): {"report.consolidate", "report.return_input"},
    ("consolidated", False): set(),
    ("returned", False): {"report.edit", "report.submit"},
}


@pytest.mark.parametrize(("state", "lead"), sorted(STEPS_NOW))
def test_only_the_steps_of_a_report_in_its_state_are_offered(places, state, lead) -> None:
    report = places.report("mee" if lead else "ndrc")
    report.state = state
    steps = policy.REPORT_ACTIONS - {"report.view"}
    admin = places.people["admin"]
    assert {a for a in steps if policy.can(fresh(admin), a, report)} == STEPS_NOW[state, lead]
    # Those who hold a step are told it is not possible now; others are refused.
    secretariat = places.people["secretariat"]
    assert policy.reaches_report(secretariat, "report.approve", report)
    assert not policy.reaches_report(places.people["focal-moj"], "report.approve", report)
    assert policy.reaches_report(places.people["reviewer-mee"], "report.return_input", report)


def test_only_those_who_see_every_report_see_all(places) -> None:
    everyone = {name for name, user in places.people.items() if policy.can(user, "report.view_all")}
    assert everyone == {"admin", "secretariat", "evaluator"}


def test_agency_and_jurisdiction_lists_follow_the_edit_rule(places) -> None:
    mee = places.agencies["mee"]
    agency_create(actor=system_actor(), code="mee-air", name={"en": "Air"}, parent=mee)
    for name, user in viewers(places).items():
        agencies = {
            a.code for a in Agency.objects.all() if policy.can(fresh(user), "agency.edit", a)
        }
        assert {
            a.code for a in Agency.objects.filter(policy.agency_q(fresh(user), "agency.edit"))
        } == agencies, name
        regions = {
            j.code
            for j in Jurisdiction.objects.all()
            if policy.can(fresh(user), "jurisdiction.edit", j)
        }
        assert {
            j.code
            for j in Jurisdiction.objects.filter(
                policy.jurisdiction_q(fresh(user), "jurisdiction.edit")
            )
        } == regions, name
    assert {
        a.code
        for a in Agency.objects.filter(policy.agency_q(places.people["focal-mee"], "agency.edit"))
    } == {"mee", "mee-air"}
    assert {
        j.code
        for j in Jurisdiction.objects.filter(
            policy.jurisdiction_q(places.people["regional-bj"], "jurisdiction.edit")
        )
    } == {"CN-BJ", "CN-BJ-HD", "CN-BJ-HD-1"}
