"""`hrap audit verify [--head FILE]` checks the keyed chain; `hrap audit head` exports its head."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hrap.core import audit


class Command(BaseCommand):
    help = "Check the audit trail's keyed hash chain, or export its signed head."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser(
            "verify", help="Recompute every hash; exit 1 at the first break."
        )
        verify.add_argument(
            "--head",
            type=Path,
            help="A head exported earlier: the chain must still hold it and all before it.",
        )
        head = actions.add_parser(
            "head",
            help="Print the chain's head (sequence, hash, time), signed, as one JSON line; "
            "keep it outside the database.",
        )
        head.add_argument("-o", "--output", type=Path, help="File to write (default: stdout).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            self._head(options["output"])
        else:
            self._verify(options["head"])

    def _head(self, output: Path | None) -> None:
        line = audit.export_head().to_json() + "\n"
        if output is None:
            self.stdout.write(line, ending="")
            return
        try:
            output.write_text(line, encoding="utf-8")
        except OSError as exc:
            self._fail(f"{output}: cannot write the file: {exc.strerror}")
        self.stderr.write(f"audit head written to {output}")

    def _verify(self, head_file: Path | None) -> None:
        head = None
        if head_file is not None:
            try:
                head = audit.read_head(head_file.read_bytes())
            except OSError as exc:
                self._fail(f"{head_file}: cannot read the file: {exc.strerror}")
            except audit.HeadFileError as exc:
                self._fail(f"{head_file}: {exc}")
        count, broken = audit.verify(head=head)
        if broken is not None:
            self.stderr.write(f"audit chain broken at {broken}")
            sys.exit(1)
        found = f"; it holds the exported head {head.describe()}" if head else ""
        self.stdout.write(f"audit chain intact: {count} events{found}")

    def _fail(self, line: str) -> None:
        self.stderr.write(line)
        sys.exit(2)
