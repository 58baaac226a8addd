"""The audit chain: keyed, append-only, and every way of rewriting it is caught by `hrap audit`."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.deletion import ProtectedError
from django.test import override_settings

from hrap.core import audit
from hrap.core.models import AppendOnly, AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db
EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table
KEY_A = "first-audit-key-0123456789abcdef0123456789"
KEY_B = "second-audit-key-0123456789abcdef012345678"


@pytest.fixture
def person():
    return get_user_model().objects.create_user("li.wei", password="pw-Secret-123!")


def write(person, n: int) -> list[AuditEvent]:
    return [
        audit.record(actor=person, action="test.write", target=person, after={"n": k})
        for k in range(n)
    ]


def sql(statement: str, params: list[Any] | None = None) -> None:
    """What anyone who can write the database can do, bypassing HRAP entirely."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue().strip(), err.getvalue().strip()


def test_events_are_keyed_and_the_chain_verifies(person) -> None:
    events = write(person, 5)
    assert audit.verify() == (5, None)
    assert {e.scheme for e in events} == {AuditEvent.KEYED}
    assert events[0].key_id == audit.key_id(audit.current_key()[1].decode())
    assert cli("verify") == (0, "audit chain intact: 5 events", "")


def test_a_raw_sql_update_is_named_by_verify(person) -> None:
    write(person, 5)
    third = AuditEvent.objects.get(sequence=3)
    sql(f"UPDATE {EVENTS} SET after = %s WHERE id = %s", ['{"n": 99}', third.pk])
    checked, broken = audit.verify()
    assert checked == 3 and broken is not None and broken.sequence == 3
    assert str(broken) == f"event #3 (id {third.pk}): its content was changed after it was recorded"
    code, _, err = cli("verify")
    assert code == 1 and err == f"audit chain broken at {broken}"


def test_a_deleted_event_in_the_middle_breaks_the_chain(person) -> None:
    write(person, 3)
    sql(f"DELETE FROM {EVENTS} WHERE sequence = 2")
    _, broken = audit.verify()
    assert broken is not None and broken.sequence == 2 and "missing" in broken.reason


def test_deleting_the_newest_events_and_rewinding_the_head_is_detected(person) -> None:
    events = write(person, 5)
    sql(f"DELETE FROM {EVENTS} WHERE sequence > 3")
    sql(f"UPDATE {HEAD} SET sequence = 3, hash = %s", [events[2].hash])
    _, broken = audit.verify()
    assert broken is not None and broken.sequence == 4
    assert "the chain head (#3) was rewritten outside HRAP" in broken.reason


def test_an_exported_head_catches_a_rewind_the_database_alone_cannot(
    person, tmp_path: Path
) -> None:
    events = write(person, 3)
    saved_head = AuditChainHead.objects.values("sequence", "hash", "signature").get()
    write(person, 2)
    head_file = tmp_path / "head.json"
    assert cli("head", "-o", str(head_file))[0] == 0
    # Someone who copied the head row when it named #3 deletes #4-#5 and puts the copy back.
    sql(f"DELETE FROM {EVENTS} WHERE sequence > 3")
    sql(
        f"UPDATE {HEAD} SET sequence = %s, hash = %s, signature = %s",
        [saved_head["sequence"], saved_head["hash"], saved_head["signature"]],
    )
    assert audit.verify() == (3, None)  # the database alone looks whole
    code, _, err = cli("verify", "--head", str(head_file))
    assert code == 1
    assert err.startswith("audit chain broken at event #4 (id None): missing: the chain ends at #3")
    assert "names #5" in err
    assert events[-1].sequence == 3


def test_verify_with_a_head_checks_that_event_and_accepts_later_ones(
    person, tmp_path: Path
) -> None:
    write(person, 2)
    head_file = tmp_path / "head.json"
    head_file.write_text(audit.export_head().to_json())
    written = json.loads(head_file.read_text())
    assert written["sequence"] == 2 and written["format"] == "hrap-audit-head/1"
    assert set(written) == {
        "format",
        "sequence",
        "hash",
        "at",
        "exported_at",
        "key_id",
        "signature",
    }
    write(person, 3)
    code, out, _ = cli("verify", "--head", str(head_file))
    assert code == 0 and out.startswith(
        "audit chain intact: 5 events; it holds the exported head #2"
    )
    # The event the head names is rewritten, with its hash recomputed as an attacker would.
    sql(f"UPDATE {EVENTS} SET hash = %s WHERE sequence = 2", ["f" * 64])
    code, _, err = cli("verify", "--head", str(head_file))
    assert code == 1 and "event #2" in err


def test_a_chain_recomputed_without_the_key_is_detected(person) -> None:
    """Rewrite an event, then recompute every hash and the head as the unkeyed scheme would."""
    write(person, 4)
    sql(f"UPDATE {EVENTS} SET after = %s WHERE sequence = 2", ['{"n": 99}'])
    prev = audit.GENESIS
    for event in AuditEvent.objects.order_by("sequence"):
        forged = audit.event_hash(event, prev, b"a guessed key")
        sql(
            f"UPDATE {EVENTS} SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, forged, event.pk],
        )
        prev = forged
    sql(f"UPDATE {HEAD} SET hash = %s, signature = %s", [prev, "0" * 64])
    _, broken = audit.verify()
    assert broken is not None and broken.sequence == 1
    assert broken.reason == "its content was changed after it was recorded"
    # The same, downgraded to unkeyed hashes throughout: the head's signature gives it away.
    prev = audit.GENESIS
    for event in AuditEvent.objects.order_by("sequence"):
        event.scheme, event.key_id = AuditEvent.UNKEYED, ""
        forged = audit.event_hash(event, prev)
        sql(
            f"UPDATE {EVENTS} SET scheme = 1, key_id = '', prev_hash = %s, hash = %s WHERE id = %s",
            [prev, forged, event.pk],
        )
        prev = forged
    sql(f"UPDATE {HEAD} SET hash = %s, signature = %s", [prev, hashlib.sha256(b"x").hexdigest()])
    _, broken = audit.verify()
    assert broken is not None and "the chain head (#4) was rewritten outside HRAP" in broken.reason


def test_the_orm_refuses_every_way_of_changing_events(person) -> None:
    event = write(person, 1)[0]
    event.action = "test.other"
    refused = [
        lambda: event.save(),
        lambda: event.delete(),
        lambda: AuditEvent.objects.update(action="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="x"),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.bulk_create([AuditEvent(sequence=9, hash="9" * 64)]),
        lambda: AuditEvent.objects.bulk_update([event], ["action"]),
        lambda: AuditEvent.objects.create(sequence=9, hash="9" * 64),
        lambda: AuditEvent.objects.update_or_create(pk=event.pk, defaults={"action": "x"}),
        lambda: AuditEvent._base_manager.filter(pk=event.pk)._update({"action": "x"}),  # type: ignore[attr-defined]
    ]
    for attempt in refused:
        with pytest.raises(AppendOnly, match="append-only"):
            attempt()
    with pytest.raises(ProtectedError):  # an actor's events keep the actor
        person.delete()
    assert audit.verify() == (1, None)
    assert AuditEvent.objects.get().action == "test.write"


def test_keys_rotate_and_old_events_need_the_retired_key(person) -> None:
    with override_settings(HRAP_AUDIT_KEY=KEY_A, HRAP_AUDIT_OLD_KEYS=[]):
        write(person, 2)
    with override_settings(HRAP_AUDIT_KEY=KEY_B, HRAP_AUDIT_OLD_KEYS=[KEY_A]):
        write(person, 2)
        assert audit.verify() == (4, None)
        ids = list(AuditEvent.objects.order_by("sequence").values_list("key_id", flat=True))
        assert ids == [audit.key_id(KEY_A)] * 2 + [audit.key_id(KEY_B)] * 2
        head = audit.export_head()
        assert head.key_id == audit.key_id(KEY_B)
    with override_settings(HRAP_AUDIT_KEY=KEY_B, HRAP_AUDIT_OLD_KEYS=[]):
        _, broken = audit.verify()
        assert broken is not None and broken.sequence == 1
        assert f"signed with key {audit.key_id(KEY_A)}, which is not configured" in broken.reason
        assert audit.read_head(head.to_json()) == head
    with (
        override_settings(HRAP_AUDIT_KEY=KEY_A, HRAP_AUDIT_OLD_KEYS=[]),
        pytest.raises(audit.HeadFileError, match="not configured"),
    ):
        audit.read_head(head.to_json())


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("", "not an audit head file"),
        ("[1, 2]", "not an audit head file"),
        ('{"format": "hrap-audit-head/1", "sequence": "abc"}', "not an audit head file"),
        ("{" + '"sequence": ' + "9" * 5000 + "}", "not an audit head file"),
        ("\ud800", "not an audit head file"),
    ],
)
def test_a_bad_head_file_is_refused_in_one_line(
    person, tmp_path: Path, content: str, says: str
) -> None:
    head_file = tmp_path / "head.json"
    head_file.write_text(content, encoding="utf-8", errors="surrogatepass")
    code, out, err = cli("verify", "--head", str(head_file))
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and says in err


def test_an_altered_or_missing_head_file_is_refused(person, tmp_path: Path) -> None:
    write(person, 2)
    fields = json.loads(audit.export_head().to_json())
    fields["sequence"] = 1
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps(fields))
    code, _, err = cli("verify", "--head", str(altered))
    assert code == 2 and err.endswith("the head file's signature does not match: it was altered")
    code, _, err = cli("verify", "--head", str(tmp_path / "absent.json"))
    assert code == 2 and "cannot read the file" in err


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_events_recorded_before_the_key_still_verify_after_the_upgrade() -> None:
    """Events hashed the old way (unkeyed SHA-256) verify after the migration, and stay anchored."""
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0001_initial")])
    old_apps = MigrationExecutor(connection).loader.project_state(("core", "0001_initial")).apps
    OldEvent = old_apps.get_model("core", "AuditEvent")
    OldHead = old_apps.get_model("core", "AuditChainHead")
    prev = audit.GENESIS
    for sequence in (1, 2, 3):
        event = AuditEvent(
            sequence=sequence,
            at=AuditEvent._meta.get_field("at").default().replace(microsecond=0),
            action="legacy.write",
            target_type="accounts.user",
            target_id="1",
            target_repr="someone",
            after={"n": sequence},
        )
        old_hash = hashlib.sha256(  # the formula before the key, written out
            (prev + audit._canonical(audit._content(event))).encode()
        ).hexdigest()
        fields = {f.attname: getattr(event, f.attname) for f in OldEvent._meta.concrete_fields}
        OldEvent.objects.create(**{**fields, "id": None, "prev_hash": prev, "hash": old_hash})
        prev = old_hash
    OldHead.objects.create(pk=1, sequence=3, hash=prev)
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert audit.verify() == (3, None)
    someone = get_user_model().objects.create_user("after-upgrade")
    audit.record(actor=someone, action="test.write", target=someone)
    assert audit.verify() == (4, None)
    sql(f"UPDATE {EVENTS} SET after = %s WHERE sequence = 2", ['{"n": 99}'])
    _, broken = audit.verify()
    assert broken is not None and broken.sequence == 2
