"""Recording audit events in a hash chain, inside the caller's transaction, and checking it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from hrap.core.context import request_address
from hrap.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _content(event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "before": event.before,
        "after": event.after,
        "address": event.address,
    }


def event_hash(event: AuditEvent, prev_hash: str) -> str:
    canonical = json.dumps(
        _content(event), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(f"{prev_hash}{canonical}".encode()).hexdigest()


def _plain(value: Any) -> Any:
    """What the JSON column gives back, so the hash computed now matches the one verified later."""
    return None if value is None else json.loads(json.dumps(value, default=str))


@transaction.atomic
def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    event = AuditEvent(
        sequence=head.sequence + 1,
        at=timezone.now().replace(microsecond=0),
        actor=actor if isinstance(actor, get_user_model()) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        before=_plain(before),
        after=_plain(after),
        address=request_address.get(),
        prev_hash=head.hash,
    )
    event.hash = event_hash(event, head.hash)
    event.save()
    head.sequence, head.hash = event.sequence, event.hash
    head.save(update_fields=["sequence", "hash"])
    return event


def history(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"event #{self.sequence} (id {self.event_id}): {self.reason}"


def verify() -> tuple[int, ChainBreak | None]:
    """(events checked, the first break or None), reading the chain in sequence order."""
    expected_prev, expected_sequence, count = GENESIS, 1, 0
    for event in _in_order():
        count += 1
        if event.sequence != expected_sequence:
            return count, ChainBreak(
                expected_sequence, None, f"missing: the sequence jumps to #{event.sequence}"
            )
        if event.prev_hash != expected_prev:
            return count, ChainBreak(
                event.sequence, event.pk, "its link to the previous event is broken"
            )
        if event_hash(event, event.prev_hash) != event.hash:
            return count, ChainBreak(
                event.sequence, event.pk, "its content was changed after it was recorded"
            )
        expected_prev, expected_sequence = event.hash, event.sequence + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.sequence != expected_sequence - 1:
        return count, ChainBreak(
            expected_sequence,
            None,
            f"missing: the chain ends at #{expected_sequence - 1}, "
            f"but {head.sequence} events were recorded",
        )
    return count, None


def _in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
