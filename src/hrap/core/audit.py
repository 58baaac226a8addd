"""Recording audit events in a keyed hash chain, inside the caller's transaction, and checking it.

Each event's hash is an HMAC-SHA256, with a key kept outside the database (`HRAP_AUDIT_KEY`),
over its content and the previous event's hash. Whoever can write the database can still delete
or change rows, but cannot recompute the chain without the key; deleting the newest events is
caught by the signed head, and by a head exported earlier (`hrap audit head`) kept elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from hrap.core.context import request_address
from hrap.core.models import RECORDING, AuditChainHead, AuditEvent

GENESIS = "0" * 64
HEAD_FORMAT = "hrap-audit-head/1"


# --- Keys -------------------------------------------------------------------------------------


def key_id(key: str) -> str:
    """A name for a key that reveals nothing of it, recorded on every event it signs."""
    return hmac.new(key.encode(), b"hrap-audit-key-id", hashlib.sha256).hexdigest()[:12]


def current_key() -> tuple[str, bytes]:
    key: str = settings.HRAP_AUDIT_KEY
    return key_id(key), key.encode()


def known_keys() -> dict[str, bytes]:
    """The current key and the retired ones (`HRAP_AUDIT_OLD_KEYS`), by id."""
    keys = {key_id(k): k.encode() for k in settings.HRAP_AUDIT_OLD_KEYS}
    current_id, current = current_key()
    keys[current_id] = current
    return keys


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


# --- Events -----------------------------------------------------------------------------------


def _content(event: AuditEvent) -> dict[str, Any]:
    content = {
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
    if event.scheme != AuditEvent.UNKEYED:
        content |= {"scheme": event.scheme, "key_id": event.key_id}
    return content


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def event_hash(event: AuditEvent, prev_hash: str, key: bytes | None = None) -> str:
    """Scheme 2: HMAC-SHA256 with `key`. Scheme 1 (before the key existed): plain SHA-256."""
    message = f"{prev_hash}{_canonical(_content(event))}"
    if event.scheme == AuditEvent.UNKEYED:
        return hashlib.sha256(message.encode()).hexdigest()
    if key is None:
        raise ValueError("a keyed event needs its key")
    return _sign(key, message)


def _head_signature(key: bytes, sequence: int, hash_: str) -> str:
    return _sign(key, f"hrap-chain-head|{sequence}|{hash_}")


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
    kid, key = current_key()
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
        scheme=AuditEvent.KEYED,
        key_id=kid,
    )
    event.hash = event_hash(event, head.hash, key)
    event._recording = RECORDING  # type: ignore[attr-defined]
    event.save()
    head.sequence, head.hash = event.sequence, event.hash
    head.signature, head.key_id = _head_signature(key, event.sequence, event.hash), kid
    head.save(update_fields=["sequence", "hash", "signature", "key_id"])
    return event


def history(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")


# --- The exported head --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedHead:
    """The chain's last event as it was at a moment, signed, to be kept outside the database."""

    sequence: int
    hash: str
    at: str | None  # the last event's time
    exported_at: str
    key_id: str
    signature: str = ""

    def _signed_part(self) -> str:
        fields = asdict(self)
        del fields["signature"]
        return _canonical({"format": HEAD_FORMAT, **fields})

    def to_json(self) -> str:
        return _canonical({"format": HEAD_FORMAT, **asdict(self)})

    def describe(self) -> str:
        return f"#{self.sequence} (exported {self.exported_at})"


class HeadFileError(ValueError):
    """A head file that cannot be read, or whose signature does not hold."""


def export_head() -> ExportedHead:
    """The current head, signed with the current key."""
    last = AuditEvent.objects.order_by("-sequence").first()
    kid, key = current_key()
    unsigned = ExportedHead(
        sequence=last.sequence if last else 0,
        hash=last.hash if last else GENESIS,
        at=last.at.isoformat() if last else None,
        exported_at=timezone.now().replace(microsecond=0).isoformat(),
        key_id=kid,
    )
    return ExportedHead(**{**asdict(unsigned), "signature": _sign(key, unsigned._signed_part())})


def read_head(text: str | bytes) -> ExportedHead:
    """A head file's content, checked against the keys; HeadFileError says what is wrong."""
    try:
        fields = json.loads(text)
        if not isinstance(fields, dict) or fields.pop("format", None) != HEAD_FORMAT:
            raise HeadFileError(f"not an audit head file ({HEAD_FORMAT})")
        head = ExportedHead(**fields)
        texts = (head.hash, head.exported_at, head.key_id, head.signature)
        if type(head.sequence) is not int or not all(isinstance(t, str) for t in texts):
            raise TypeError("a field of the wrong type")
    except (ValueError, TypeError) as exc:
        if isinstance(exc, HeadFileError):
            raise
        raise HeadFileError(f"not an audit head file ({HEAD_FORMAT})") from exc
    key = known_keys().get(str(head.key_id))
    if key is None:
        raise HeadFileError(
            f"the head file was signed with key {head.key_id}, which is not configured "
            "(HRAP_AUDIT_KEY, HRAP_AUDIT_OLD_KEYS)"
        )
    if not hmac.compare_digest(_sign(key, head._signed_part()), head.signature):
        raise HeadFileError("the head file's signature does not match: it was altered")
    return head


# --- Verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"event #{self.sequence} (id {self.event_id}): {self.reason}"


def verify(*, head: ExportedHead | None = None) -> tuple[int, ChainBreak | None]:
    """(events checked, the first break or None), reading the chain in sequence order.

    With `head` (an exported head), the chain must still hold that event, unchanged, and every
    event recorded before it.
    """
    keys = known_keys()
    expected_prev, expected_sequence, count, keyed_seen = GENESIS, 1, 0, False
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
        broken = _check_event(event, keys, keyed_seen)
        if broken is not None:
            return count, broken
        if head is not None and event.sequence == head.sequence and event.hash != head.hash:
            return count, ChainBreak(
                event.sequence, event.pk, f"it differs from the exported head {head.describe()}"
            )
        keyed_seen = keyed_seen or event.scheme == AuditEvent.KEYED
        expected_prev, expected_sequence = event.hash, event.sequence + 1
    last = expected_sequence - 1
    broken = _check_chain_head(last, expected_prev, keys)
    if broken is None and head is not None and last < head.sequence:
        broken = ChainBreak(
            last + 1,
            None,
            f"missing: the chain ends at #{last}, but the exported head {head.describe()} "
            f"names #{head.sequence}",
        )
    return count, broken


def _check_event(event: AuditEvent, keys: dict[str, bytes], keyed_seen: bool) -> ChainBreak | None:
    def broken(reason: str) -> ChainBreak:
        return ChainBreak(event.sequence, event.pk, reason)

    if event.scheme == AuditEvent.UNKEYED:
        if keyed_seen:
            return broken("an unkeyed event after keyed ones: it was not recorded by HRAP")
        key = None
    elif event.scheme == AuditEvent.KEYED:
        key = keys.get(event.key_id)
        if key is None:
            return broken(
                f"it is signed with key {event.key_id or '(none)'}, which is not configured "
                "(add the retired key to HRAP_AUDIT_OLD_KEYS)"
            )
    else:
        return broken(f"unknown hash scheme {event.scheme}")
    if not hmac.compare_digest(event_hash(event, event.prev_hash, key), event.hash):
        return broken("its content was changed after it was recorded")
    return None


def _check_chain_head(last: int, last_hash: str, keys: dict[str, bytes]) -> ChainBreak | None:
    """The head row must name the last event and carry a valid signature.

    Without the signature, newest events could be deleted and the head rewound, or the whole
    chain swapped for an unkeyed one, unseen.
    """
    row = AuditChainHead.objects.filter(pk=1).first()
    if row is None or (row.sequence == 0 and last == 0):
        return None if last == 0 else ChainBreak(last + 1, None, "the chain head is missing")
    if row.sequence != last:
        return ChainBreak(
            last + 1,
            None,
            f"missing: the chain ends at #{last}, but {row.sequence} events were recorded",
        )
    key = keys.get(row.key_id)
    signature = _head_signature(key, row.sequence, row.hash) if key is not None else ""
    if row.hash != last_hash or not hmac.compare_digest(signature, row.signature):
        return ChainBreak(
            last + 1,
            None,
            f"the chain head (#{row.sequence}) was rewritten outside HRAP: its signature does "
            "not match, so newer events may have been removed",
        )
    return None


def _in_order() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
