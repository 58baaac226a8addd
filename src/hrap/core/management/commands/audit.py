"""`hrap audit verify`: check the whole audit chain and name the first broken event."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hrap.core import audit


class Command(BaseCommand):
    help = "Check the audit trail's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("verify", help="Recompute every hash; exit 1 at the first break.")

    def handle(self, *args: Any, **options: Any) -> None:
        count, broken = audit.verify()
        if broken is not None:
            self.stderr.write(f"audit chain broken at {broken}")
            sys.exit(1)
        self.stdout.write(f"audit chain intact: {count} events")
