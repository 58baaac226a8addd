"""Every value the check accepts is read back exactly as it was entered, on this database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrap.accounts.system import system_actor
from hrap.core.errors import InvalidInput
from hrap.directory.models import Jurisdiction
from hrap.monitoring import services
from hrap.monitoring.models import Observation
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
