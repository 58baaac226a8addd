"""Template helpers of the review screen."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    """`mapping[key]`, or None: the form of one name decision, when it came back refused."""
    return (mapping or {}).get(key)
