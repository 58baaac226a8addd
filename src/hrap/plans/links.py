"""URLs of plan pages: the short form for a plan's current revision, the long one otherwise."""

from __future__ import annotations

from django.urls import reverse

from hrap.plans.models import Plan


def plan_url(name: str, plan: Plan, *args: object) -> str:
    kwargs: dict[str, object] = {"slug": plan.slug}
    if not plan.is_current:
        kwargs["revision"] = plan.revision
    arg_names = {
        "node": ["ref"],
        "node_edit": ["ref"],
        "node_structure": ["ref"],
        "node_fields": ["ref"],
        "target_add": ["ref"],
        "target_edit": ["ref", "target_id"],
        "target_delete": ["ref", "target_id"],
        "assignments": ["ref"],
    }.get(name, [])
    kwargs.update(zip(arg_names, args, strict=True))
    return reverse(f"plans:{name}", kwargs=kwargs)
