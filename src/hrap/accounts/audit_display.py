"""What an audit event says, in words: the action, the kind of object, and each field's value
before and after, for the audit trail page (the CSV export keeps the raw JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The actions HRAP records, in words; an action not listed is shown by its code.
ACTIONS: dict[str, Promise] = {
    "account.login": _("signed in"),
    "account.password_reset": _("reset a password through the emailed link"),
    "agency.create": _("created an agency"),
    "agency.update": _("changed an agency"),
    "assignment.create": _("assigned a task"),
    "assignment.update": _("changed an assignment"),
    "assignment.delete": _("removed an assignment"),
    "cycle.carry": _("moved cycles to a new revision"),
    "cycle.create": _("created a reporting cycle"),
    "cycle.open": _("opened a reporting cycle"),
    "evidence.add": _("attached a file to a report"),
    "evidence.remove": _("removed a file from a report"),
    "indicator.update": _("changed an indicator"),
    "jurisdiction.load": _("loaded a country's jurisdictions"),
    "jurisdiction.update": _("changed a jurisdiction"),
    "mail.deadline": _("sent a deadline reminder"),
    "mail.review": _("sent a notice to review"),
    "membership.add": _("gave a role"),
    "membership.remove": _("took a role away"),
    "node.update": _("changed a node of a plan"),
    "node.deadline": _("changed a node's deadline"),
    "node.split": _("split a node"),
    "observation.record": _("recorded an indicator value"),
    "observation.upload": _("uploaded indicator values"),
    "plan.carry": _("carried work over to a new revision"),
    "plan.discard": _("discarded a draft plan"),
    "plan.facts": _("stated a draft plan's facts"),
    "plan.import": _("imported a plan"),
    "plan.ingest": _("read a plan document into a draft"),
    "plan.publish": _("published a plan revision"),
    "plan.replace": _("replaced a plan with a new revision"),
    "report.approve": _("approved a report"),
    "report.consolidate": _("consolidated an input into the lead report"),
    "report.publish": _("published a report"),
    "report.return": _("returned a report for revision"),
    "report.save": _("saved a report"),
    "report.submit": _("submitted a report"),
    "review.undo": _("undid the last correction of a draft"),
    "second_factor.confirm": _("registered an authenticator"),
    "second_factor.remove": _("removed an authenticator"),
    "target.baseline": _("set a target's baseline"),
    "target.create": _("added a target"),
    "target.delete": _("deleted a target"),
    "target.indicator": _("changed what a target measures"),
    "target.update": _("changed a target"),
    "token.create": _("created an API token"),
    "token.revoke": _("revoked an API token"),
    "user.create": _("created an account"),
    "user.deactivate": _("deactivated an account"),
    "user.password_reset_sent": _("sent a password reset link"),
    "user.reactivate": _("reactivated an account"),
    "user.set_password": _("set a password"),
    "user.update": _("changed an account"),
}
# Fields that events name often, in words; others are shown by their key.
FIELDS: dict[str, Promise] = {
    "state": _("state"),
    "progress": _("status"),
    "narrative": _("what was done"),
    "measures": _("measures taken"),
    "difficulties": _("difficulties"),
    "next_steps": _("next steps"),
    "return_reason": _("reason for return"),
    "value": _("value"),
    "status": _("status"),
    "source": _("source"),
    "name": _("name"),
    "title": _("title"),
    "role": _("role"),
    "roles": _("roles"),
    "period": _("period"),
    "due": _("due"),
    "reports": _("reports"),
    "email": _("email"),
    "language": _("language"),
    "is_active": _("active"),
}
LONGEST = 300  # characters of a value shown in the page; the CSV export has all of it


def action_text(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    if action.startswith("review."):
        return str(_("corrected a draft plan (%(step)s)") % {"step": action[7:]})
    return action


def type_text(target_type: str) -> str:
    """The kind of object in words (its model's name), or the code when no model has it."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type


@dataclass(frozen=True)
class Change:
    field: str
    named: bool  # the field's name is words, not a key
    before: str
    after: str


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = str(value)
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ", ".join(str(v) for v in value) or "—"
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def changes(before: Any, after: Any) -> list[Change]:
    """Field by field, what changed (or, for an event without a before, what was recorded)."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before is None and after is None:
            return []
        return [Change(str(_("value")), True, _shown(before), _shown(after))]
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    keys = list(dict.fromkeys([*old, *new]))
    found = []
    for key in keys:
        if key in old and key in new and old[key] == new[key]:
            continue  # unchanged: the event stated it for context
        words = FIELDS.get(str(key))
        found.append(
            Change(
                str(words) if words else str(key),
                words is not None,
                _shown(old.get(key)) if before is not None else "",
                _shown(new.get(key)) if after is not None else "",
            )
        )
    return found
