"""`hrap ingest FILE [FILE ...] --json | --plan SLUG`: documents into a plan file or a draft."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hrap.accounts.system import system_actor
from hrap.core.errors import IngestError, InvalidInput
from hrap.ingest import ingest, parse_period
from hrap.plans import links, planfile, services


class Progress:
    """A one-line progress bar on standard error, shown for long work only."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream, self.enabled, self.shown = stream, enabled, False

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled or total < 20:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(
            f"\r{label:<40.40} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Read plan documents (txt, md, html, docx, pdf; one per language) into a plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument(
            "--json", action="store_true", help="Print the plan file; write nothing."
        )
        where.add_argument("--plan", metavar="SLUG", help="Create a draft revision of this plan.")
        parser.add_argument(
            "--jurisdiction",
            help="ISO 3166 code of the plan's country (CN); else read from the document.",
        )
        parser.add_argument(
            "--period", help="Years the plan covers (2021-2025); else read from the document."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Replace a draft of the plan under review."
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Show progress even when standard error is not a terminal.",
        )

    def fail(self, lines: list[str]) -> None:
        for line in lines:
            # one line each, whatever a library put in its message
            self.stderr.write(f"hrap ingest: {' '.join(str(line).split())}")
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        progress = Progress(
            self.stderr._out,
            options["progress"] or self.stderr._out.isatty(),  # type: ignore[attr-defined]
        )
        period = None
        if options["period"] is not None:
            period = parse_period(options["period"])
            if period is None:
                self.fail([f"--period {options['period']!r}: give two years, like 2021-2025"])
        jurisdiction = options["jurisdiction"]
        if jurisdiction is not None and not re.fullmatch(
            r"[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?", jurisdiction
        ):
            self.fail([f"--jurisdiction {jurisdiction!r}: give an ISO 3166 code, like CN or LR"])
        try:
            result = ingest(
                options["files"],
                slug=options["plan"],
                jurisdiction=jurisdiction,
                period=period,
                progress=progress,
            )
        except IngestError as exc:
            progress.close()
            self.fail([str(exc)])
            return
        except (MemoryError, RecursionError) as exc:
            progress.close()
            self.fail(
                [f"the document is too large or too deeply nested to read ({type(exc).__name__})"]
            )
            return
        except Exception as exc:  # a reader's library failing on a broken file: no traceback
            progress.close()
            self.fail([f"could not read the documents ({type(exc).__name__}: {exc})"])
            return
        progress.close()
        text = planfile.dumps(result.document)
        problems = planfile.validate(planfile.parse(text.encode())[0] or {})
        if problems:
            self.fail([f"the parsed plan is not a valid plan file: {p}" for p in problems])
        for line in result.report:
            self.stderr.write(line)
        if options["json"]:
            self.stdout.write(text, ending="")
            return
        sources: dict[str, dict[str, dict[str, str]]] = {}
        for doc in result.parsed:
            for node in doc.walk():
                sources.setdefault(node.ref, {})[doc.language] = {
                    "text": node.source,
                    "where": node.where,
                }
        try:
            plan = services.plan_import(
                raw=text.encode(),
                actor=system_actor(),
                draft=True,
                replace=options["replace"],
                node_sources=sources,
                report=result.report,
            )
        except InvalidInput as exc:
            self.fail([str(p) for p in exc.problems])
            return
        self.stdout.write(
            f"draft revision {plan.revision} of {plan.slug}: {plan.nodes.count()} nodes; "
            f"review it at {links.plan_url('review', plan)}"
        )
