"""Apps above `plans` follow a plan to its new revision, and say what they hold on an object.

A plan is a slug with numbered revisions (decision 0005); what people built on one revision
(assignments, targets, reporting cycles, reports, values, later evaluations and links) must
follow it to the next by ref (decision 0013). `plans` cannot import the apps above it, so each
registers a `Follower` here (in its `AppConfig.ready`, so they run in `INSTALLED_APPS` order,
lower layers first), and `plans` calls `carry` inside the transaction that publishes the new
revision. `preview` says the same in words and numbers before anything is written, for the
publish confirmation; `held` says what an object holds, so nothing that holds anything is
deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Tally:
    """One line of what is (or would be) carried or held: a count and the sentence saying it.

    `key` is namespaced by app (`"monitoring.cycles"`); `text` is in the active language.
    """

    key: str
    count: int
    text: str

    def __str__(self) -> str:
        return self.text


def _nothing(obj: Any) -> list[Tally]:
    return []


@dataclass(frozen=True)
class Follower:
    """What one app does when a plan changes revision. `old` and `new` are `Plan` revisions."""

    name: str
    preview: Callable[[Any, Any], list[Tally]]
    carry: Callable[[Any, Any, Any], list[Tally]]
    held: Callable[[Any], list[Tally]] = _nothing


_followers: dict[str, Follower] = {}


def register(follower: Follower) -> None:
    _followers[follower.name] = follower


def preview(old_plan: Any, new_plan: Any) -> list[Tally]:
    """What publishing `new_plan` over `old_plan` would carry, writing nothing."""
    return [line for f in _followers.values() for line in f.preview(old_plan, new_plan)]


def carry(old_plan: Any, new_plan: Any, actor: Any) -> list[Tally]:
    """Carry everything over; call inside the transaction that publishes `new_plan`."""
    return [line for f in _followers.values() for line in f.carry(old_plan, new_plan, actor)]


def held(obj: Any) -> list[Tally]:
    """What the apps hold on `obj` (a plan revision, an indicator); empty when nothing."""
    return [line for f in _followers.values() for line in f.held(obj)]
