"""`hrap demo`: set up the demo database (sample plan, agencies, accounts) and serve it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from hrap.core.database import ensure_database_exists
from hrap.directory.models import Agency
from hrap.directory.services import agency_create, jurisdiction_load_country
from hrap.plans import planfile, services
from hrap.plans.models import Plan
from hrap.plans.sample import SLUG as SAMPLE_PLAN
from hrap.plans.sample import sample_plan_document

DEMO_ADMIN = ("admin", "hrap-demo-admin")


class Command(BaseCommand):
    help = "Set up the demo: database, sample plan, agencies and accounts; then serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Set up, then exit.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def step(self, text: str) -> None:
        self.stdout.write(f"· {text}")

    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        self.stdout.write(
            self.style.WARNING(
                "HRAP demo mode: DEBUG on, a fixed secret key and well-known passwords. "
                "Never use these defaults in production (set HRAP_ENV=production)."
            )
        )
        self.step(f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
        if ensure_database_exists():
            self.step(f"created the database {database['NAME']}")
        call_command("migrate", verbosity=0, interactive=False)
        self.step("database schema up to date")

        jurisdiction_load_country(code="CN")
        self.step("jurisdictions: China and its provincial-level divisions (ISO 3166-2)")

        sample = resources.files("hrap.directory") / "sample" / "agencies-cn.json"
        created = 0
        for entry in json.loads(sample.read_text(encoding="utf-8"))["agencies"]:
            if not Agency.objects.filter(code=entry["code"]).exists():
                agency_create(code=entry["code"], name=entry["name"])
                created += 1
        self.step(f"agencies: {Agency.objects.count()} ({created} new)")

        if Plan.objects.filter(slug=SAMPLE_PLAN).exists():
            # Keep what people changed in the demo; a fresh database reloads the sample.
            self.step(f"plan {SAMPLE_PLAN}: already loaded (delete the database to reload it)")
        else:
            document, report = sample_plan_document()
            plan = services.plan_import(
                raw=planfile.dumps(document).encode(), actor=None, report=report
            )
            self.step(
                f"plan {plan.slug}: ingested from the two compiled documents of the corpus "
                f"({report[0]})"
            )

        User = get_user_model()
        username, password = DEMO_ADMIN
        admin = User.objects.filter(username=username).first() or User(username=username)
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.set_password(password)
        admin.save()
        self.step("accounts ready")
        self.stdout.write("")
        self.stdout.write("Demo accounts:")
        self.stdout.write(f"  administrator   user {username:<12} password {password}")
        self.stdout.write("")
        if options["no_serve"]:
            return
        self.stdout.write(f"Serving the demo at http://{options['addrport']}/  (Ctrl+C stops it)")
        call_command("runserver", options["addrport"], use_reloader=False, insecure_serving=True)
