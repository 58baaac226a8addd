from django import template

from hrap.plans import links
from hrap.plans.models import Plan

register = template.Library()


@register.simple_tag
def plan_url(name: str, plan: Plan, *args: object) -> str:
    """{% plan_url 'node' plan node.ref %}: the page of a plan, right for any revision."""
    return links.plan_url(name, plan, *args)
