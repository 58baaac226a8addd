"""Uploads staged for confirmation: a file is read, checked and compared with the stored values
into a preview, kept under a token, and written only when its uploader confirms that preview
while the stored values it touches are still as the preview showed them (decision 0032)."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.core.errors import HrapError, InvalidInput, NotFound, Problem
from hrap.core.localized import choose
from hrap.directory.models import Jurisdiction
from hrap.monitoring import upload
from hrap.monitoring.models import Observation, ReportingCycle
from hrap.monitoring.observations import (
    Actor,
    UploadPlan,
    lock_indicators,
    plan_indicators,
    upload_rows,
    upload_write,
)

TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
KEEP_SECONDS = 24 * 3600  # a preview nobody confirms is forgotten after a day
STATUS_LABELS = dict(Observation.Status.choices)


class UploadStale(HrapError):
    """The stored values the upload touches changed after the preview was shown; nothing was
    written. `preview` is the upload as it would be now."""

    status = 409

    def __init__(self, preview: Preview) -> None:
        super().__init__("values changed since the preview; nothing was written")
        self.preview = preview


@dataclass(frozen=True)
class Outcome:
    """One row of the preview: where it is in the file, what value it is, before and after."""

    where: str
    indicator: int
    jurisdiction: str
    period: str
    disaggregation: str
    before: dict[str, str] | None
    after: dict[str, str]
    indicator_name: str = ""
    place_name: str = ""

    @property
    def status(self) -> str:
        return str(STATUS_LABELS.get(self.after["status"], self.after["status"]))

    @property
    def was_status(self) -> str:
        before = (self.before or {}).get("status", "")
        return str(STATUS_LABELS.get(before, before))


@dataclass
class Preview:
    token: str
    name: str
    created: list[Outcome] = field(default_factory=list)
    corrected: list[Outcome] = field(default_factory=list)
    unchanged: list[Outcome] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    blank: int = 0
    # Values of the plan's own jurisdiction without disaggregation: the totals that the plan's
    # public task pages show in each target's progress as soon as they are written.
    national: int = 0

    @property
    def writes(self) -> int:
        return len(self.created) + len(self.corrected)

    @property
    def writable(self) -> bool:
        return not self.refused and bool(self.created or self.corrected)


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "staged-uploads"


def _paths(token: str) -> tuple[Path, Path]:
    return _folder() / f"{token}.bin", _folder() / f"{token}.json"


def _forget_old() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder().glob("*.json"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            path.with_suffix(".bin").unlink(missing_ok=True)


def _outcomes(plan: UploadPlan, cycle: ReportingCycle, places: dict[str, Jurisdiction]) -> Preview:
    preview = Preview(token="", name="")
    national = cycle.plan.jurisdiction.code if cycle.plan.jurisdiction else None
    names = {pk: choose(i.name).text for pk, i in plan_indicators(plan=cycle.plan).items()}
    for row, kind, before, after in plan.outcomes:
        outcome = Outcome(
            row.where,
            row.indicator,
            row.jurisdiction,
            row.period,
            row.key[3],
            before,
            after,
            names.get(row.indicator, ""),
            choose(places[row.jurisdiction].name).text if row.jurisdiction in places else "",
        )
        {"new": preview.created, "corrected": preview.corrected}.get(
            kind, preview.unchanged
        ).append(outcome)
        if kind != "unchanged" and row.jurisdiction == national and not row.key[3]:
            preview.national += 1
    return preview


def _work_out(
    raw: bytes, name: str, cycle: ReportingCycle, actor: Actor
) -> tuple[Preview, UploadPlan | None, list[upload.Row]]:
    try:
        rows, problems, places, blank = upload_rows(raw=raw, name=name, cycle=cycle, actor=actor)
    except InvalidInput as exc:  # the file as a whole cannot be read
        return Preview(token="", name=name, refused=exc.problems), None, []
    plan = UploadPlan(rows, places, actor)
    preview = _outcomes(plan, cycle, places)
    preview.name, preview.blank = name, blank
    preview.refused = problems + plan.problems
    return preview, plan, rows


def upload_preview(*, raw: bytes, name: str, cycle: ReportingCycle, actor: Actor) -> Preview:
    """What the file would write (new, corrected, unchanged) and what is refused, cell by
    cell. Nothing is written; a writable preview is kept under its token for `upload_confirm`."""
    policy.require(actor, "observation.enter")
    preview, plan, _rows = _work_out(raw, name, cycle, actor)
    if plan is not None and preview.writable:
        preview.token = _stage(raw, name, cycle, actor, plan.digest(raw))
    return preview


def _stage(raw: bytes, name: str, cycle: ReportingCycle, actor: Actor, digest: str) -> str:
    _folder().mkdir(parents=True, exist_ok=True)
    _forget_old()
    token = secrets.token_urlsafe(32)
    body, meta = _paths(token)
    body.write_bytes(raw)
    meta.write_text(
        json.dumps(
            {"user": actor.pk, "cycle": cycle.pk, "name": name, "digest": digest},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return token


def _staged(token: str, cycle: ReportingCycle, actor: Actor) -> tuple[bytes, dict[str, Any]]:
    """The staged file of this person and cycle, or NotFound (another's token is nobody's)."""
    if not TOKEN.fullmatch(token):
        raise InvalidInput([Problem("token", _("not an upload token"))])
    body, meta_path = _paths(token)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        raw = body.read_bytes()
    except (OSError, ValueError):
        raise NotFound("no such upload: it was written, discarded or has expired") from None
    if meta.get("user") != actor.pk or meta.get("cycle") != cycle.pk:
        raise NotFound("no such upload: it was written, discarded or has expired")
    return raw, meta


def upload_discard(*, token: str, cycle: ReportingCycle, actor: Actor) -> None:
    _staged(token, cycle, actor)
    for path in _paths(token):
        path.unlink(missing_ok=True)


def upload_confirm(*, token: str, cycle: ReportingCycle, actor: Actor) -> dict[str, int]:
    """Write exactly what the preview under `token` showed, all or none, or raise UploadStale
    (with the preview as it would be now) when a value it touches changed meanwhile."""
    policy.require(actor, "observation.enter")
    raw, meta = _staged(token, cycle, actor)
    name = str(meta.get("name", "upload"))
    preview, plan, rows = _work_out(raw, name, cycle, actor)
    if plan is None or preview.refused:
        # The scope or the plan changed since the preview: the rows are checked again.
        raise InvalidInput(preview.refused)
    stale = plan.digest(raw) != meta.get("digest")
    if not stale:
        with transaction.atomic():
            lock_indicators({r.indicator for r in rows})
            stale = plan.stale()  # written between the check above and the lock
            if not stale:
                counts = upload_write(
                    plan, raw=raw, name=name, cycle=cycle, actor=actor, previewed=True
                )
    upload_discard(token=token, cycle=cycle, actor=actor)
    if stale:
        preview, plan, rows = _work_out(raw, name, cycle, actor)
        if plan is not None and preview.writable:
            preview.token = _stage(raw, name, cycle, actor, plan.digest(raw))
        raise UploadStale(preview)
    return counts
