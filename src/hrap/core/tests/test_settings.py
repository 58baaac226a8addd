"""Production settings: refuse to start without secrets, and pass Django's deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client


def hrap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HRAP_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return subprocess.run(
        [sys.executable, "-m", "hrap", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    done = hrap("check", env={"HRAP_ENV": "production"})
    assert done.returncode == 1
    assert done.stderr.strip() == "hrap: HRAP_SECRET_KEY must be set when HRAP_ENV=production"


def production(tmp_path: Path, **changes: str) -> dict[str, str]:
    env = {
        "HRAP_ENV": "production",
        "HRAP_SECRET_KEY": secrets.token_urlsafe(64),
        "HRAP_AUDIT_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "HRAP_ALLOWED_HOSTS": "hrap.example.org",
    }
    return {k: v for k, v in {**env, **changes}.items() if v}


@pytest.mark.slow
def test_production_needs_an_audit_key_of_its_own(tmp_path: Path) -> None:
    done = hrap("check", env=production(tmp_path, HRAP_AUDIT_KEY=""))
    assert done.returncode == 1
    assert done.stderr.strip() == "hrap: HRAP_AUDIT_KEY must be set when HRAP_ENV=production"
    short = hrap("check", env=production(tmp_path, HRAP_AUDIT_KEY="short"))
    assert short.stderr.strip() == "hrap: HRAP_AUDIT_KEY must be at least 32 characters long"


@pytest.mark.slow
def test_production_passes_the_deployment_checks(tmp_path: Path) -> None:
    done = hrap("check", "--deploy", "--fail-level", "WARNING", env=production(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/en/plans/")
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "script-src 'self'" in policy
    assert "style-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_uses_inline_styles_or_scripts() -> None:
    templates = Path(__file__).resolve().parents[2] / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert 'style="' not in text and "<script>" not in text and "onclick=" not in text, template
