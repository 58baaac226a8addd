"""Every value the check accepts is read back exactly as it was entered, on this database;
what it refuses is refused where it enters (values, targets, baselines)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrap.accounts.system import system_actor
from hrap.core.errors import InvalidInput
from hrap.directory.models import Jurisdiction
from hrap.monitoring import services
from hrap.monitoring.models import Observation
from hrap.plans import services as plan_services
from hrap.plans.models import Target

pytestmark = pytest.mark.django_db

numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=6),
    st.decimals(min_value=-(10**18), max_value=10**18, places=0),
    st.sampled_from(
        [Decimal("999999999999999000"), Decimal("-99999999999999.9"), Decimal("0.000001")]
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=numbers)
def test_a_value_is_refused_or_read_back_unchanged(sample_plan, number: Decimal) -> None:
    indicator = Target.objects.filter(node__plan=sample_plan).first().indicator  # type: ignore[union-attr]
    country = Jurisdiction.objects.get(code="CN")
    try:
        services.observation_record(
            indicator=indicator,
            jurisdiction=country,
            period="2023",
            value=number,
            actor=system_actor(),
        )
    except InvalidInput:
        return
    stored = Observation.objects.get(indicator=indicator, jurisdiction=country, period="2023")
    assert stored.value == number
    assert str(stored) and Observation.objects.filter(value=number).exists()


@pytest.mark.parametrize(
    "typed", ["999999999999999999.999999", "1e30", "inf", "NaN", "1e-30", "9" * 5000]
)
def test_a_baseline_that_cannot_be_stored_is_refused_and_pages_still_render(
    client: Client, staff, sample_plan, typed: str
) -> None:
    client.force_login(staff)
    target = Target.objects.get(
        node__plan=sample_plan, node__ref="III.1.1", indicator__name__en__startswith="average PM2.5"
    )
    url = f"/en/plans/{sample_plan.slug}/III.1.1/targets/{target.pk}/"
    form = {
        "version": target.version,
        "value": "10",
        "unit": "%",
        "direction": "decrease",
        "relative": "on",
        "indicator_en": target.indicator.name["en"],
        "year": "2025",
        "baseline_year": "2020",
    }
    refused = client.post(url, {**form, "baseline_value": typed})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    refused = client.post(url, {**form, "value": typed, "baseline_value": "40"})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    target.refresh_from_db()
    assert (target.value, target.baseline_value) == (Decimal(10), None)
    assert client.get(f"/en/plans/{sample_plan.slug}/III.1.1/").status_code == 200
    with pytest.raises(InvalidInput):
        plan_services.target_set_baseline(
            target=target, actor=staff, value=Decimal(typed[:60]), year=2020
        )
