"""`hrap demo`: set up the demo database (sample plan, agencies, accounts) and serve it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import translation

from hrap.accounts import services as accounts
from hrap.accounts.models import AGENCY_ROLES, JURISDICTION_ROLES, Role
from hrap.accounts.system import system_actor
from hrap.core import audit
from hrap.core.database import ensure_database_exists
from hrap.demo.activity import generate as generate_activity
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import agency_create, jurisdiction_load_country
from hrap.plans import planfile, services
from hrap.plans.models import Plan
from hrap.plans.sample import SLUG as SAMPLE_PLAN
from hrap.plans.sample import sample_plan_document

# (username, password, role, agency code or jurisdiction code)
DEMO_ACCOUNTS = [
    ("admin", "hrap-demo-admin", Role.ADMINISTRATOR, ""),
    ("secretariat", "hrap-demo-secretariat", Role.SECRETARIAT, ""),
    ("focal-mee", "hrap-demo-focal-mee", Role.FOCAL_POINT, "mee"),
    ("focal-moj", "hrap-demo-focal-moj", Role.FOCAL_POINT, "moj"),
    ("reviewer-mee", "hrap-demo-reviewer-mee", Role.LEAD_REVIEWER, "mee"),
    ("regional-bj", "hrap-demo-regional-bj", Role.REGIONAL_FOCAL_POINT, "CN-BJ"),
    ("evaluator", "hrap-demo-evaluator", Role.EVALUATOR, ""),
]


def _demo_account(username: str, password: str, role: str, scope: str) -> bool:
    """Create a demo account when it is missing, through the services (audited, as the system
    actor); an account that exists is left as it is, whatever someone changed in it."""
    if get_user_model().objects.filter(username=username).exists():
        return False
    actor = system_actor()
    with transaction.atomic():
        user = accounts.user_create(
            actor=actor, username=username, email=f"{username}@demo.hrap.invalid"
        )
        # The published demo passwords resemble the usernames, which the password validators
        # refuse (rightly): set without them, and recorded like a set password.
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(actor=actor, action="user.set_password", target=user)
        accounts.membership_add(
            user=user,
            role=role,
            actor=actor,
            agency=Agency.objects.get(code=scope) if role in AGENCY_ROLES else None,
            jurisdiction=(
                Jurisdiction.objects.get(code=scope) if role in JURISDICTION_ROLES else None
            ),
        )
    return True


class Command(BaseCommand):
    help = "Set up the demo: database, sample plan, agencies and accounts; then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Set up, then exit.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def step(self, text: str) -> None:
        self.stdout.write(f"· {text}")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            self.stderr.write(
                "hrap demo: refused under HRAP_ENV=production (it creates accounts with "
                "published passwords)"
            )
            sys.exit(2)
        database = settings.DATABASES["default"]
        self.stdout.write(
            self.style.WARNING(
                "HRAP demo mode: DEBUG on, a fixed secret key, well-known passwords, no second "
                "factor required. Never use these defaults in production (HRAP_ENV=production)."
            )
        )
        self.step(f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
        if ensure_database_exists():
            self.step(f"created the database {database['NAME']}")
        call_command("migrate", verbosity=0, interactive=False)
        self.step("database schema up to date")

        jurisdiction_load_country(actor=system_actor(), code="CN")
        self.step("jurisdictions: China and its provincial-level divisions (ISO 3166-2)")

        sample = resources.files("hrap.directory") / "sample" / "agencies-cn.json"
        created = 0
        for entry in json.loads(sample.read_text(encoding="utf-8"))["agencies"]:
            if not Agency.objects.filter(code=entry["code"]).exists():
                agency_create(actor=system_actor(), code=entry["code"], name=entry["name"])
                created += 1
        self.step(f"agencies: {Agency.objects.count()} ({created} new)")

        if Plan.objects.filter(slug=SAMPLE_PLAN).exists():
            # Keep what people changed in the demo; a fresh database reloads the sample.
            self.step(f"plan {SAMPLE_PLAN}: already loaded (delete the database to reload it)")
        else:
            document, report = sample_plan_document()
            plan = services.plan_import(
                raw=planfile.dumps(document).encode(), actor=system_actor(), report=report
            )
            self.step(
                f"plan {plan.slug}: ingested from the two compiled documents of the corpus "
                f"({report[0]})"
            )
            activity = generate_activity(plan=plan)
            self.step(
                f"synthetic activity: a 2023 reporting cycle with {activity['reports']} reports "
                f"and {activity['observations']} indicator values, every text marked SYNTHETIC"
            )

        self.stdout.write("")
        self.stdout.write(
            "Demo accounts (one per role; the passwords are for this demo only; an account that "
            "exists already is left as it is):"
        )
        for username, password, role, scope in DEMO_ACCOUNTS:
            created = _demo_account(username, password, role, scope)
            with translation.override("en"):  # the console speaks English, as the rest does
                label = str(Role(role).label) + (f" ({scope})" if scope else "")
            shown = f"password {password}" if created else "exists: left unchanged"
            self.stdout.write(f"  {label:<36} user {username:<14} {shown}")
        if not settings.HRAP_REQUIRE_SECOND_FACTOR:
            self.stdout.write(
                "  (a second factor is required for administrator and secretariat accounts in "
                "production; the demo does not insist)"
            )
        self.stdout.write("")
        if options["no_serve"]:
            return
        self.stdout.write(f"Serving the demo at http://{options['addrport']}/  (Ctrl+C stops it)")
        # Mail and other background work run in a worker beside the server (mail is printed
        # to this console in the demo).
        worker = subprocess.Popen([sys.executable, "-m", "hrap", "worker"])
        self.stdout.write(f"· background worker running (process {worker.pid})")
        try:
            call_command(
                "runserver", options["addrport"], use_reloader=False, insecure_serving=True
            )
        finally:
            worker.terminate()
