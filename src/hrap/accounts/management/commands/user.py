"""`hrap user …`: manage accounts and their roles from the console, as the system actor.

Every change goes through the same services as the user pages, with the same checks and an
audit event naming HRAP's system account as the actor.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from hrap.accounts import selectors, services
from hrap.accounts.models import Role, User
from hrap.accounts.system import system_actor
from hrap.core.errors import HrapError, InvalidInput


class Command(BaseCommand):
    help = "Create, list and change accounts and their roles."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="A new account, without a password.")
        create.add_argument("username")
        create.add_argument("--email", default="")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _ in settings.LANGUAGES],
        )
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        create.add_argument(
            "--send-reset", action="store_true", help="Mail the owner a link to choose a password."
        )
        listing = actions.add_parser("list", help="Accounts and their roles.")
        listing.add_argument("--role", choices=Role.values)
        listing.add_argument("--agency", default="", help="agency code")
        listing.add_argument("--jurisdiction", default="", help="jurisdiction code")
        listing.add_argument("--status", choices=["active", "inactive"])
        listing.add_argument("--json", action="store_true", dest="as_json")
        for name, text in (("grant", "Grant a role."), ("revoke", "Take a role away.")):
            change = actions.add_parser(name, help=text)
            change.add_argument("username")
            change.add_argument("role", choices=Role.values)
            scope = change.add_mutually_exclusive_group()
            scope.add_argument("--agency", default="", help="for focal points and reviewers")
            scope.add_argument("--jurisdiction", default="", help="for regional focal points")
        for name, text in (
            ("deactivate", "The account can no longer sign in."),
            ("reactivate", "The account can sign in again."),
            ("send-reset", "Mail the owner a link to choose a password."),
        ):
            actions.add_parser(name, help=text).add_argument("username")
        password = actions.add_parser("set-password", help="Set a password; lifts a lockout.")
        password.add_argument("username")
        password.add_argument("--password-stdin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdin = options.get("stdin") or sys.stdin
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(**options)
        except HrapError as exc:
            problems = exc.problems if isinstance(exc, InvalidInput) else []
            self._fail(*([str(p) for p in problems] or [str(exc)]))

    def _fail(self, *lines: str) -> NoReturn:
        for line in lines:
            self.stderr.write(f"hrap user: {line}")
        sys.exit(2)

    def _user(self, username: str) -> User:
        found = User.objects.filter(username=username).first()
        if found is None:
            self._fail(f"no user named {username!r}")
        return found

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return str(self.stdin.readline()).rstrip("\r\n")
        if not sys.stdin.isatty():
            self._fail("give the password on standard input with --password-stdin")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            self._fail("the two passwords differ")
        return first

    def _create(self, *, username: str, password_stdin: bool, send_reset: bool, **o: Any) -> None:
        password = self._password(True) if password_stdin else None
        with transaction.atomic():  # an account with a refused password is not created
            user = services.user_create(
                actor=system_actor(),
                username=username,
                email=o["email"],
                first_name=o["first_name"],
                last_name=o["last_name"],
                language=o["language"],
            )
            if password is not None:
                services.user_set_password(user=user, actor=system_actor(), password=password)
        self.stdout.write(f"created {user.username}" + (" with a password" if password else ""))
        if send_reset:
            self._send_reset(username=user.username)

    def _list(self, *, role: str | None, agency: str, jurisdiction: str, status: str | None,
              as_json: bool, **_: Any) -> None:  # fmt: skip
        users = selectors.user_list(
            viewer=system_actor(),
            role=role or "",
            agency=agency,
            jurisdiction=jurisdiction,
            status=status or "",
        )
        rows: list[dict[str, Any]] = [
            {
                "username": u.username,
                "email": u.email,
                "active": u.is_active,
                "system": u.is_system,
                "roles": [
                    services.role_label(m.role, m.agency, m.jurisdiction)
                    for m in u.memberships.all()
                ]
                + (["superuser"] if u.is_superuser else []),
            }
            for u in users
        ]
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            state = "system" if row["system"] else "active" if row["active"] else "deactivated"
            roles = ", ".join(row["roles"]) or "-"
            self.stdout.write(f"{row['username']:<24} {state:<11} {roles}")

    def _grant(self, *, username: str, role: str, agency: str, jurisdiction: str, **_: Any) -> None:
        user = self._user(username)
        place, region = selectors.role_scope(agency=agency, jurisdiction=jurisdiction)
        services.membership_add(
            user=user, actor=system_actor(), role=role, agency=place, jurisdiction=region
        )
        self.stdout.write(f"granted {services.role_label(role, place, region)} to {username}")

    def _revoke(
        self, *, username: str, role: str, agency: str, jurisdiction: str, **_: Any
    ) -> None:
        user = self._user(username)
        place, region = selectors.role_scope(agency=agency, jurisdiction=jurisdiction)
        services.membership_remove(
            user=user, actor=system_actor(), role=role, agency=place, jurisdiction=region
        )
        self.stdout.write(f"took {services.role_label(role, place, region)} from {username}")

    def _deactivate(self, *, username: str, **_: Any) -> None:
        services.user_deactivate(user=self._user(username), actor=system_actor(), version=None)
        self.stdout.write(f"deactivated {username}")

    def _reactivate(self, *, username: str, **_: Any) -> None:
        services.user_reactivate(user=self._user(username), actor=system_actor(), version=None)
        self.stdout.write(f"reactivated {username}")

    def _set_password(self, *, username: str, password_stdin: bool, **_: Any) -> None:
        user = self._user(username)
        password = self._password(password_stdin)
        services.user_set_password(user=user, actor=system_actor(), password=password)
        self.stdout.write(f"password set for {username}; its lockout, if any, is lifted")

    def _send_reset(self, *, username: str, **_: Any) -> None:
        user = self._user(username)
        services.user_send_password_reset(user=user, actor=system_actor())
        self.stdout.write(f"a link to choose a password will be mailed to {user.email}")
