"""The one error hierarchy of HRAP; `core.middleware` maps it to HTTP in one place."""

from __future__ import annotations

from dataclasses import dataclass

from hrap.core.catalog import _


class HrapError(Exception):
    """Base of every error that HRAP reports to a person instead of a traceback."""

    status = 400


class PermissionDenied(HrapError):
    status = 403


class NotFound(HrapError):
    status = 404


class EditConflict(HrapError):
    """Someone saved the object after the editor loaded it."""

    status = 409

    def __init__(self, obj: object, *, current_version: int, submitted_version: int) -> None:
        super().__init__(
            _(
                "%(object)s was changed by someone else (version %(current)s, your edit was "
                "based on version %(yours)s)"
            )
            % {"object": obj, "current": current_version, "yours": submitted_version}
        )
        self.obj = obj
        self.current_version = current_version
        self.submitted_version = submitted_version


class InvalidTransition(HrapError):
    status = 409


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where: a JSON path, a field name or a line."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" if self.where else self.what


class InvalidInput(HrapError):
    """Input that was refused as a whole; `problems` says every place that is wrong."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems


class IngestError(HrapError):
    """A document that cannot be read or parsed: what is wrong, and where when it applies."""

    def __init__(self, what: str, *, where: str | None = None) -> None:
        super().__init__(f"{where}: {what}" if where else what)
        self.what = what
        self.where = where


def refusal(exc: HrapError) -> str:
    """What a person is told of a refused write: every problem's reason, else the error's words."""
    problems = getattr(exc, "problems", None)
    return "; ".join(p.what for p in problems) if problems else str(exc)
