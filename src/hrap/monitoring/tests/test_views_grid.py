"""The entry grid: rows and cells from the value scope; only changed cells, all or none; a
colleague's edit is never reverted; final values stay final; hostile numbers refused at the cell."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from hrap.accounts.models import Role
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.directory.models import Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import Observation
from hrap.monitoring.tests.conftest import member, posted_form
from hrap.plans.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm25(world):
    return Target.objects.get(
        node=world["node"], indicator__name__en__startswith="average PM2.5"
    ).indicator


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cell(place: Jurisdiction, year: str, key: str = "") -> str:
    return f"v-{place.pk}-{key}-{year}"


def value(indicator, place, period, key=""):
    found = Observation.objects.filter(
        indicator=indicator, jurisdiction=place, period=period, disaggregation_key=key
    ).first()
    return found.value if found else None


def test_changed_cells_are_saved_with_the_right_count(world, pm25) -> None:
    client = signed_in(world["focal_mee"])
    url = f"/en/indicators/{pm25.pk}/values/"
    page = client.get(url)
    country = world["plan"].jurisdiction
    form = posted_form(page.content)
    assert cell(country, "2023") in form and cell(country, "2022") in form
    form.update({cell(country, "2023"): "37.5", cell(country, "2022"): "39", "source": "bulletin"})
    saved = client.post(url, form, follow=True)
    assert "Saved 2 values." in saved.content.decode()
    observation = Observation.objects.get(indicator=pm25, jurisdiction=country, period="2023")
    assert (observation.value, observation.source, observation.entered_by) == (
        Decimal("37.5"),
        "bulletin",
        world["focal_mee"],
    )
    again = client.post(url, posted_form(client.get(url).content), follow=True)
    assert "Saved 0 values." in again.content.decode()  # unchanged: nothing recorded again
    assert AuditEvent.objects.filter(action="observation.record").count() == 2


def national_2023(world, pm25, status: str = "provisional") -> None:
    services.observation_record(
        indicator=pm25,
        jurisdiction=world["plan"].jurisdiction,
        period="2023",
        value=Decimal(40),
        actor=world["focal_mee"],
        status=status,
    )


def two_pages_then_theirs_saved(world, pm25) -> tuple[Client, dict[str, str], str]:
    """I and a colleague load the grid (2023 shows 40); the colleague saves 38.2 for 2023.
    Returns my session, my page's form as loaded, and the grid's address."""
    country = world["plan"].jurisdiction
    national_2023(world, pm25)
    colleague = member("focal-mee-2", Role.FOCAL_POINT, world["focal_mee"].memberships.get().agency)
    url = f"/en/indicators/{pm25.pk}/values/"
    mine, theirs = signed_in(world["focal_mee"]), signed_in(colleague)
    my_page = posted_form(mine.get(url).content)
    their_page = posted_form(theirs.get(url).content)
    their_page[cell(country, "2023")] = "38.2"
    assert theirs.post(url, their_page).status_code == 302
    return mine, my_page, url


def test_a_colleagues_edit_is_not_reverted_by_an_older_page(world, pm25) -> None:
    country = world["plan"].jurisdiction
    mine, my_page, url = two_pages_then_theirs_saved(world, pm25)
    my_page[cell(country, "2022")] = "41"  # my page still shows 40 for 2023
    assert mine.post(url, my_page).status_code == 302
    assert value(pm25, country, "2023") == Decimal("38.2")
    assert value(pm25, country, "2022") == Decimal(41)


def test_two_people_changing_one_cell_see_a_conflict_at_the_cell(world, pm25) -> None:
    country = world["plan"].jurisdiction
    mine, my_page, url = two_pages_then_theirs_saved(world, pm25)
    my_page.update({cell(country, "2023"): "37.9", cell(country, "2021"): "42"})
    refused = mine.post(url, my_page)
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "1 cell needs another look; nothing was saved" in page
    assert "Changed meanwhile by focal-mee-2 to 38.2" in page
    assert 'value="37.9"' in page and 'value="42"' in page  # what I typed is still there
    assert value(pm25, country, "2023") == Decimal("38.2")
    assert value(pm25, country, "2021") is None  # all or none
    assert mine.post(url, posted_form(refused.content)).status_code == 302  # seen: mine wins
    assert value(pm25, country, "2023") == Decimal("37.9")
    assert value(pm25, country, "2021") == Decimal(42)


def test_one_bad_cell_saves_nothing_and_keeps_every_typed_cell(world, pm25) -> None:
    country = world["plan"].jurisdiction
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    client = signed_in(world["secretariat"])
    url = f"/en/indicators/{pm25.pk}/values/"
    form = posted_form(client.get(url).content)
    form.update(
        {
            cell(country, "2023"): "37.5",
            cell(beijing, "2023"): "33",
            cell(country, "2024"): "lots",
        }
    )
    refused = client.post(url, form)
    page = refused.content.decode()
    assert refused.status_code == 200 and not Observation.objects.exists()
    assert "1 cell needs another look; nothing was saved" in page
    assert "Enter a number." in page
    assert 'value="37.5"' in page and 'value="33"' in page and 'value="lots"' in page
    form[cell(country, "2024")] = "36.1"
    assert "Saved 3 values." in client.post(url, form, follow=True).content.decode()


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("inf", "is not a finite number"),
        ("NaN", "is not a finite number"),
        ("1e30", "is too large"),
        ("9" * 5000, "is too long for a value"),
        ("999999999999999999.999999", "more than 15 significant digits"),
        ("1e-30", "more than 6 decimal places"),
        ("0.0000001", "more than 6 decimal places"),
    ],
)
def test_hostile_numbers_are_refused_at_their_cell(world, pm25, typed, reason) -> None:
    country = world["plan"].jurisdiction
    client = signed_in(world["secretariat"])
    url = f"/en/indicators/{pm25.pk}/values/"
    form = posted_form(client.get(url).content)
    form[cell(country, "2023")] = typed
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert reason in refused.content.decode()
    assert not Observation.objects.exists()
    assert client.get(url).status_code == 200


def test_a_damaged_original_is_a_cell_problem_not_a_server_error(world, pm25) -> None:
    country = world["plan"].jurisdiction
    client = signed_in(world["secretariat"])
    url = f"/en/indicators/{pm25.pk}/values/"
    refused = client.post(url, {cell(country, "2023"): "3", f"o-{country.pk}--2023": "abc:1"})
    assert refused.status_code == 200
    assert "The page was not sent whole" in refused.content.decode()
    assert not Observation.objects.exists()


def test_a_final_value_stays_final_unless_changed_explicitly(world, pm25) -> None:
    country = world["plan"].jurisdiction
    national_2023(world, pm25, "final")
    client = signed_in(world["focal_mee"])
    url = f"/en/indicators/{pm25.pk}/values/"
    page = client.get(url)
    assert 'class="final"' in page.content.decode()
    form = posted_form(page.content)
    form[cell(country, "2023")] = "39.8"
    client.post(url, form)
    corrected = Observation.objects.get(indicator=pm25, jurisdiction=country, period="2023")
    assert (corrected.value, corrected.status) == (Decimal("39.8"), "final")
    form = posted_form(client.get(url).content)
    form.update({cell(country, "2023"): "39.7", "status": "provisional"})
    client.post(url, form)
    corrected.refresh_from_db()
    assert (corrected.value, corrected.status) == (Decimal("39.7"), "provisional")


def test_another_agencys_focal_point_may_not_enter_the_value(world, pm25) -> None:
    moj = agency_create(actor=system_actor(), code="moj", name={"en": "Ministry of Justice"})
    stranger = signed_in(member("focal-moj", Role.FOCAL_POINT, moj))
    country = world["plan"].jurisdiction
    url = f"/en/indicators/{pm25.pk}/values/"
    assert stranger.get(url).status_code == 403
    assert stranger.post(url, {cell(country, "2023"): "1"}).status_code == 403
    assert not Observation.objects.exists()


def test_a_region_sees_and_writes_only_its_own_places(world, pm25) -> None:
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    shanghai = Jurisdiction.objects.get(code="CN-SH")
    country = world["plan"].jurisdiction
    region = signed_in(member("regional-bj", Role.REGIONAL_FOCAL_POINT, jurisdiction=beijing))
    url = f"/en/indicators/{pm25.pk}/values/"
    page = region.get(url)
    form = posted_form(page.content)
    assert cell(beijing, "2023") in form
    assert cell(country, "2023") not in form and cell(shanghai, "2023") not in form
    # Cells for places outside the scope, added by hand, are refused, and nothing is saved.
    forged = {**form, cell(beijing, "2023"): "31", cell(country, "2023"): "1"}
    assert region.post(url, forged).status_code == 403
    forged = {**form, cell(beijing, "2023"): "31", cell(shanghai, "2023"): "1"}
    assert region.post(url, forged).status_code == 403
    assert value(pm25, beijing, "2023") is None
    form[cell(beijing, "2023")] = "31"
    assert region.post(url, form).status_code == 302
    assert value(pm25, beijing, "2023") == Decimal(31)
    assert value(pm25, country, "2023") is None and value(pm25, shanghai, "2023") is None
    pm25.disaggregations = ["sex"]
    pm25.save()
    by_sex = region.get(url, {"by": "sex", "jurisdiction": "CN-SH"}).content.decode()
    assert f'name="v-{beijing.pk}-sex=female-2023"' in by_sex
    assert f'name="v-{shanghai.pk}-' not in by_sex and 'value="CN-SH"' not in by_sex


def test_the_grid_by_disaggregation(world, pm25) -> None:
    pm25.disaggregations = ["sex"]
    pm25.save()
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    client = signed_in(world["focal_mee"])
    url = f"/en/indicators/{pm25.pk}/values/"
    by_sex = client.get(url, {"by": "sex", "jurisdiction": "CN-BJ"})
    form = posted_form(by_sex.content)
    assert cell(beijing, "2023", "sex=female") in form
    form[cell(beijing, "2023", "sex=female")] = "21"
    client.post(f"{url}?by=sex&jurisdiction=CN-BJ", form)
    female = Observation.objects.get(
        indicator=pm25, jurisdiction=beijing, disaggregation_key="sex=female"
    )
    assert (female.value, female.disaggregation) == (Decimal(21), {"sex": "female"})
    assert client.get(url, {"by": "ethnicity"}).status_code == 404


def test_a_nul_in_the_source_is_refused_at_the_field(world, pm25) -> None:
    country = world["plan"].jurisdiction
    client = signed_in(world["secretariat"])
    url = f"/en/indicators/{pm25.pk}/values/"
    form = posted_form(client.get(url).content)
    form.update({cell(country, "2023"): "3", "source": "bulletin\x00"})
    refused = client.post(url, form)
    # Refused for the whole site before the view (core.middleware), naming the field.
    assert refused.status_code == 400 and "source" in refused.content.decode()
    assert not Observation.objects.exists()
