"""Factories for plan objects; each test builds only what it needs."""

from __future__ import annotations

from decimal import Decimal

import factory

from hrap.directory.models import Agency, Jurisdiction
from hrap.plans.models import Indicator, Plan, PlanNode, Target


class JurisdictionFactory(factory.django.DjangoModelFactory[Jurisdiction]):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    code = "CN"
    name = factory.LazyFunction(lambda: {"en": "China", "zh-Hans": "中国"})
    level = Jurisdiction.Level.COUNTRY


class AgencyFactory(factory.django.DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda a: {"en": f"Agency {a.code}", "zh-Hans": f"机构 {a.code}"})


class PlanFactory(factory.django.DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    slug = factory.Sequence(lambda n: f"plan-{n}")
    title = factory.LazyAttribute(lambda p: {"en": f"Plan {p.slug}"})
    jurisdiction = factory.SubFactory(JurisdictionFactory)
    period_start = 2021
    period_end = 2025
    languages = factory.LazyFunction(lambda: ["zh-Hans", "en"])
    status = Plan.Status.ACTIVE


class NodeFactory(factory.django.DjangoModelFactory[PlanNode]):
    class Meta:
        model = PlanNode

    plan = factory.SubFactory(PlanFactory)
    kind = PlanNode.Kind.TASK
    ref = factory.Sequence(lambda n: f"T{n}")
    title = factory.LazyAttribute(lambda n: {"en": f"Task {n.ref}"})
    position = factory.Sequence(lambda n: n)
    depth = 0


class TargetFactory(factory.django.DjangoModelFactory[Target]):
    class Meta:
        model = Target

    node = factory.SubFactory(NodeFactory)
    indicator = factory.LazyFunction(
        lambda: Indicator.objects.create(name={"en": "share of cities"}, unit="%")
    )
    value = Decimal("10")
    unit = "%"
    direction = Target.Direction.DECREASE
    relative = True
