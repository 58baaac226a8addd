from django import template
from django.utils import translation

from hrap.plans import links
from hrap.plans.models import Plan
from hrap.plans.textsearch import chinese_ref

register = template.Library()


@register.simple_tag
def plan_url(name: str, plan: Plan, *args: object) -> str:
    """{% plan_url 'node' plan node.ref %}: the page of a plan, right for any revision."""
    return links.plan_url(name, plan, *args)


@register.simple_tag
def shown_ref(ref: str) -> str:
    """A node's ref as a plan in the page's language numbers it: III.1.2, or 三（一）2."""
    if (translation.get_language() or "").startswith("zh"):
        return chinese_ref(ref)
    return ref
