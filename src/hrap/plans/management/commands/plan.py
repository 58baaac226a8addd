"""`hrap plan import FILE`, `hrap plan export SLUG`, `hrap plan validate FILE`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from hrap.accounts.system import system_actor
from hrap.core.errors import InvalidInput, InvalidTransition, NotFound
from hrap.core.revisions import Tally
from hrap.plans import planfile, selectors, services
from hrap.plans.models import Plan, Target


class Command(BaseCommand):
    help = "Import, export or validate a plan file (hrap-plan/1)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        do_import = actions.add_parser("import", help="Validate a plan file and write it whole.")
        do_import.add_argument("file", type=Path)
        do_import.add_argument(
            "--replace",
            action="store_true",
            help="Make the file a new revision of the plan with the same slug; the current one "
            "is kept, superseded, and what was built on it is carried over by ref.",
        )
        do_import.add_argument(
            "--status",
            choices=[Plan.Status.DRAFT, *Plan.CURRENT],
            default=Plan.Status.ACTIVE,
        )
        do_export = actions.add_parser("export", help="Write a plan as a plan file.")
        do_export.add_argument("slug")
        do_export.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")
        do_validate = actions.add_parser("validate", help="Check a plan file; write nothing.")
        do_validate.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(**options)

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            self._fail(path, [f"cannot read the file: {exc.strerror}"])
            raise AssertionError("unreachable") from exc

    def _fail(self, path: Path, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(f"{path}: {line}")
        sys.exit(2)

    def _import(self, *, file: Path, replace: bool, status: str, **_: Any) -> None:
        raw = self._read(file)
        carried: list[Tally] = []
        try:
            with translation.override("en"):  # the console speaks English
                plan = services.plan_import(
                    raw=raw, actor=system_actor(), replace=replace, status=status, carried=carried
                )
        except (InvalidInput, InvalidTransition) as exc:
            problems = getattr(exc, "problems", None) or [exc]
            self._fail(file, [str(p) for p in problems])
            return
        nodes = plan.nodes.count()
        targets = Target.objects.filter(node__plan=plan).count()
        revision = f" revision {plan.revision}" if plan.revision > 1 else ""
        self.stdout.write(f"imported {plan.slug}{revision}: {nodes} nodes, {targets} targets")
        for line in carried:
            self.stdout.write(f"carried over: {line}")

    def _validate(self, *, file: Path, **_: Any) -> None:
        document, problems = planfile.parse(self._read(file))
        if document is not None:
            problems = planfile.validate(document)
        if problems:
            self._fail(file, [str(p) for p in problems])
        self.stdout.write(f"{file}: valid hrap-plan/1 file")

    def _export(self, *, slug: str, output: Path | None, **_: Any) -> None:
        try:
            plan = selectors.plan_get(viewer=system_actor(), slug=slug)
        except NotFound:
            raise CommandError(f"no plan with slug {slug!r}", returncode=2) from None
        text = planfile.dumps(selectors.plan_document(plan=plan))
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"exported {slug} to {output}")
