"""`hrap demo`: never under production settings; never resets an account someone changed."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from hrap.accounts import services
from hrap.accounts.system import system_actor
from hrap.core import audit
from hrap.core.models import AuditEvent


@pytest.mark.slow
def test_the_demo_refuses_to_run_in_production(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HRAP_", "DATABASE_URL"))}
    database = tmp_path / "production.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "hrap", "demo", "--no-serve"],
        env={
            **env,
            "HRAP_ENV": "production",
            "HRAP_SECRET_KEY": secrets.token_urlsafe(48),
            "HRAP_AUDIT_KEY": secrets.token_urlsafe(48),
            "HRAP_ALLOWED_HOSTS": "hrap.example.org",
            "DATABASE_URL": f"sqlite:///{database}",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "hrap demo: refused under HRAP_ENV=production (it creates accounts with published "
        "passwords)"
    ]
    assert not database.exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_creates_missing_accounts_and_leaves_changed_ones_alone() -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "user admin          password hrap-demo-admin" in out.getvalue()
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("hrap-demo-admin")
    services.user_set_password(user=admin, actor=system_actor(), password="a-new-long-passphrase")
    get_user_model().objects.filter(username="evaluator").delete()
    again = io.StringIO()
    call_command("demo", "--no-serve", stdout=again)
    assert "user admin          exists: left unchanged" in again.getvalue()
    assert "user evaluator      password hrap-demo-evaluator" in again.getvalue()
    admin.refresh_from_db()
    assert admin.check_password("a-new-long-passphrase")
    created = AuditEvent.objects.filter(action="user.create", actor=system_actor())
    assert created.count() == 8  # seven accounts, and the evaluator again
    assert audit.verify()[1] is None
