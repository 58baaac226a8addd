"""Login hardening, second factor, API tokens and the audit page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings

from hrap.accounts import services, totp
from hrap.accounts.models import LoginFailure, Membership, Role, SecondFactor
from hrap.accounts.system import system_actor
from hrap.core import audit
from hrap.core.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def person():
    return get_user_model().objects.create_user("li.wei", password=PASSWORD, email="li@example.org")


def login(client: Client, password: str, username: str = "li.wei", address: str = "10.0.0.1"):
    return client.post(
        "/en/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_passwords_are_hashed_with_argon2(argon2_passwords, db) -> None:
    person = get_user_model().objects.create_user("wang.fang", password=PASSWORD)
    assert person.password.startswith("argon2")


def test_ten_wrong_passwords_lock_the_account_and_say_for_how_long(client: Client, person) -> None:
    for _ in range(9):
        assert "The username or the password is wrong." in login(client, "wrong").content.decode()
    tenth = login(client, "wrong").content.decode()
    assert "This account is locked after 10 failed logins. Try again in 15 minutes" in tenth
    # Even the right password is refused while locked, from any address.
    locked = login(client, PASSWORD, address="10.0.0.2")
    assert locked.status_code == 200 and "locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(HRAP_ADDRESS_ATTEMPTS=5)
def test_an_address_trying_many_accounts_is_locked(client: Client, person) -> None:
    for n in range(5):
        login(client, "wrong", username=f"guess{n}", address="10.9.9.9")
    page = login(client, PASSWORD, address="10.9.9.9").content.decode()
    assert "Too many failed logins from your address" in page
    assert login(Client(), PASSWORD, address="10.0.0.3").status_code == 302


def test_a_successful_login_is_recorded_and_clears_failures(client: Client, person) -> None:
    login(client, "wrong")
    response = login(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/en/"  # the home page
    event = AuditEvent.objects.get(action="account.login")
    assert event.actor == person and event.address == "10.0.0.1"


def test_totp_codes_follow_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8 digits → last 6 here.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp.code_at(secret, 59 // 30) == "287082"
    assert totp.code_at(secret, 1111111109 // 30) == "081804"
    assert totp.matching_step(secret, "287082", now=59) == 1
    assert totp.matching_step(secret, "287082", after=1, now=59) is None  # not twice


def test_login_with_a_second_factor(client: Client, person) -> None:
    factor = services.second_factor_begin(user=person)
    code = totp.code_at(factor.secret, totp.current_step())
    assert services.second_factor_check(user=person, code=code, confirm=True)
    response = login(client, PASSWORD)
    assert response["Location"] == "/en/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    wrong = client.post("/en/accounts/login/code/", {"code": "000000"})
    assert "This code is wrong or was already used." in wrong.content.decode()
    factor.refresh_from_db()
    fresh = totp.code_at(factor.secret, totp.current_step() + 1)
    done = client.post("/en/accounts/login/code/", {"code": fresh})
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(person.pk)


@override_settings(HRAP_REQUIRE_SECOND_FACTOR=True)
def test_secretariat_accounts_must_register_a_second_factor(client: Client, person) -> None:
    Membership.objects.create(user=person, role=Role.SECRETARIAT)
    response = login(client, PASSWORD)
    assert response["Location"] == "/en/accounts/second-factor/"
    assert "_auth_user_id" not in client.session
    setup = client.get("/en/accounts/second-factor/")
    assert "<svg" in setup.content.decode()
    secret = SecondFactor.objects.get(user=person).secret
    done = client.post(
        "/en/accounts/second-factor/", {"code": totp.code_at(secret, totp.current_step())}
    )
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(person.pk)


def test_password_reset_by_email(client: Client, person) -> None:
    client.post("/en/accounts/password/reset/", {"email": "li@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", str(mail.outbox[0].body))
    assert link is not None
    form = client.get(link.group().split("testserver", 1)[1], follow=True)
    assert form.status_code == 200
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a much longer passphrase", "new_password2": "a much longer passphrase"},
    )
    person.refresh_from_db()
    assert person.check_password("a much longer passphrase")


def test_short_passwords_are_refused(client: Client, person) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("short1", person)


def test_api_tokens_act_as_their_user_until_revoked(client: Client, person) -> None:
    token, raw = services.token_create(user=person, name="sync script", actor=person)
    assert raw.startswith(f"hrap_{token.prefix}_") and token.digest not in raw
    assert services.token_user(raw) == person
    assert services.token_user(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    services.token_revoke(token=token, actor=person)
    assert services.token_user(raw) is None
    assert client.get("/api/v1/plans", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_security_page_creates_and_revokes_tokens(client: Client, person) -> None:
    client.force_login(person)
    page = client.post("/en/accounts/security/", {"name": "reporting tool"}).content.decode()
    raw = re.search(r"hrap_[0-9a-f]{8}_[\w-]+", page)
    assert raw is not None and services.token_user(raw.group()) == person
    token = person.api_tokens.get()
    client.post(f"/en/accounts/security/tokens/{token.pk}/revoke/")
    assert services.token_user(raw.group()) is None


# --- Audit page ------------------------------------------------------------------------------


def test_the_audit_page_filters_and_exports_csv(client: Client, person) -> None:
    Membership.objects.create(user=person, role=Role.SECRETARIAT)
    audit.record(actor=person, action="node.update", target=person, after={"title": "生命权"})
    audit.record(actor=system_actor(), action="plan.import", target=person)
    client.force_login(person)
    page = client.get("/en/audit/", {"action": "node.update"}).content.decode()
    page = page[page.index('<table class="list audit">') :]  # the events, not the filters
    # In words, the change field by field: no JSON.
    assert "changed a node of a plan" in page and "imported a plan" not in page
    assert "<td>生命权</td>" in page and "{&quot;" not in page
    assert (
        client.get("/en/audit/", {"action": "nonsense", "since": "2024-13-45"}).status_code == 200
    )
    csv_response = client.get("/en/audit/", {"actor": "li.wei", "format": "csv"})
    body = b"".join(csv_response.streaming_content).decode()  # type: ignore[attr-defined]
    lines = body.strip().splitlines()
    assert lines[0].startswith("sequence,time,actor,action")
    assert any("node.update" in line and "生命权" in line for line in lines[1:])
    assert all("plan.import" not in line for line in lines)


# --- Behind a proxy ---------------------------------------------------------------------------


@override_settings(HRAP_TRUSTED_PROXIES=["10.0.0.0/8"], HRAP_ADDRESS_ATTEMPTS=5)
def test_behind_a_trusted_proxy_lockout_and_audit_see_the_client(client: Client, person) -> None:
    def via_proxy(password: str, client_address: str, username: str = "li.wei"):
        return client.post(
            "/en/accounts/login/",
            {"username": username, "password": password},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"1.2.3.4, {client_address}",
        )

    for n in range(5):  # one client guesses; the balancer's address is not locked
        via_proxy("wrong", "198.51.100.7", username=f"guess{n}")
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"198.51.100.7"}
    assert "Too many failed logins" in via_proxy(PASSWORD, "198.51.100.7").content.decode()
    assert via_proxy(PASSWORD, "198.51.100.8").status_code == 302
    event = AuditEvent.objects.get(action="account.login")
    assert event.address == "198.51.100.8"


@override_settings(HRAP_TRUSTED_PROXIES=["10.0.0.0/8"], HRAP_ADDRESS_ATTEMPTS=5)
def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(client: Client, person) -> None:
    for n in range(5):  # each try claims another address; the lock falls on the real one
        client.post(
            "/en/accounts/login/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"203.0.113.9"}
    page = login(client, PASSWORD, address="203.0.113.9").content.decode()
    assert "Too many failed logins from your address" in page
