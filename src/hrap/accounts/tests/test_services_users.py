"""Managing users: administrators only, every change audited with before and after, versions
refuse stale edits, the system actor is never changed and never signs in."""

from __future__ import annotations

import re
import threading

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client

from hrap.accounts import services
from hrap.accounts.models import LoginFailure, Membership, Role
from hrap.accounts.system import system_actor
from hrap.accounts.tests.conftest import PASSWORD
from hrap.core import audit
from hrap.core.errors import EditConflict, InvalidInput, PermissionDenied
from hrap.core.models import AuditEvent

pytestmark = pytest.mark.django_db
# By name: accounts sits below the directory in the layers, its tests too.
Agency = apps.get_model("directory", "Agency")
Jurisdiction = apps.get_model("directory", "Jurisdiction")


@pytest.fixture
def places():
    country = Jurisdiction.objects.create(code="CN", name={"en": "China"}, level=1)
    beijing = Jurisdiction.objects.create(
        code="CN-BJ", name={"en": "Beijing"}, level=2, parent=country
    )
    return {"mee": Agency.objects.create(code="mee", name={"en": "MEE"}), "CN-BJ": beijing}


def create(actor, username: str = "li.wei", **details: str):
    return services.user_create(actor=actor, username=username, email="li@example.org", **details)


def test_an_administrator_creates_an_account_without_a_password_and_it_is_audited(admin) -> None:
    user = create(admin, first_name="Wei", last_name="Li", language="en")
    assert not user.has_usable_password() and user.version == 1
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor == admin and event.before is None
    assert event.after == {
        "username": "li.wei",
        "email": "li@example.org",
        "first_name": "Wei",
        "last_name": "Li",
        "language": "en",
        "is_active": True,
        "is_superuser": False,
        "roles": [],
    }
    assert audit.verify()[1] is None


@pytest.mark.parametrize("actor_role", [None, Role.SECRETARIAT, Role.FOCAL_POINT, Role.EVALUATOR])
def test_only_administrators_manage_users(admin, places, actor_role) -> None:
    actor = get_user_model().objects.create_user("someone", password=PASSWORD)
    if actor_role:
        Membership.objects.create(
            user=actor,
            role=actor_role,
            agency=places["mee"] if actor_role == Role.FOCAL_POINT else None,
        )
    target = create(admin)
    attempts = [
        lambda: create(actor, "other"),
        lambda: services.membership_add(user=target, role=Role.SECRETARIAT, actor=actor),
        lambda: services.user_deactivate(user=target, actor=actor, version=None),
        lambda: services.user_send_password_reset(user=target, actor=actor),
        lambda: services.membership_add(user=actor, role=Role.ADMINISTRATOR, actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not AuditEvent.objects.exclude(action="user.create").exists()


def test_roles_are_granted_for_their_kind_of_place_and_recorded_before_and_after(
    admin, places
) -> None:
    user = create(admin)
    services.membership_add(user=user, role=Role.FOCAL_POINT, actor=admin, agency=places["mee"])
    services.membership_add(
        user=user, role=Role.REGIONAL_FOCAL_POINT, actor=admin, jurisdiction=places["CN-BJ"]
    )
    event = AuditEvent.objects.filter(action="membership.add").order_by("sequence").last()
    assert event is not None and event.before is not None and event.after is not None
    assert event.before["roles"] == ["focal_point mee"]
    assert event.after["roles"] == ["focal_point mee", "regional_focal_point CN-BJ"]
    user.refresh_from_db()
    assert user.version == 3
    refused = [
        ({"role": Role.FOCAL_POINT}, "agency"),
        ({"role": Role.REGIONAL_FOCAL_POINT, "agency": places["mee"]}, "jurisdiction"),
        ({"role": Role.SECRETARIAT, "agency": places["mee"]}, "agency"),
        ({"role": Role.FOCAL_POINT, "agency": places["mee"]}, "role"),  # already held
        ({"role": "emperor"}, "role"),
    ]
    for arguments, field in refused:
        with pytest.raises(InvalidInput) as error:
            services.membership_add(user=user, actor=admin, **arguments)
        assert field in {p.where for p in error.value.problems}, arguments
    assert user.memberships.count() == 2


def test_a_stale_version_is_refused_and_nothing_is_lost(admin) -> None:
    user = create(admin)
    services.user_update(user=user, actor=admin, version=1, email="new@example.org",
                         first_name="", last_name="", language="en")  # fmt: skip
    with pytest.raises(EditConflict):
        services.membership_add(user=user, role=Role.EVALUATOR, actor=admin, version=1)
    with pytest.raises(EditConflict):
        services.user_deactivate(user=user, actor=admin, version=1)
    user.refresh_from_db()
    assert user.email == "new@example.org" and user.is_active and not user.memberships.exists()


def test_the_last_administrator_stays(admin) -> None:
    with pytest.raises(InvalidInput, match="last administrator"):
        services.membership_remove(user=admin, role=Role.ADMINISTRATOR, actor=system_actor())
    with pytest.raises(InvalidInput, match="last administrator"):
        services.user_deactivate(user=admin, actor=system_actor(), version=None)
    other = create(admin, "second")
    with pytest.raises(InvalidInput, match="your own account"):
        services.user_deactivate(user=admin, actor=admin, version=None)
    services.membership_add(user=other, role=Role.ADMINISTRATOR, actor=admin)
    services.membership_remove(user=admin, role=Role.ADMINISTRATOR, actor=other)
    assert not admin.memberships.exists()


def test_taking_administrator_away_also_takes_the_superuser_flag(admin) -> None:
    old = get_user_model().objects.create_user("old-root", password=PASSWORD)
    old.is_superuser = old.is_staff = True
    old.save()
    services.membership_remove(user=old, role=Role.ADMINISTRATOR, actor=admin)
    old.refresh_from_db()
    assert not old.is_superuser and not old.is_staff
    event = AuditEvent.objects.get(action="membership.remove")
    assert event.before is not None and event.after is not None
    assert event.before["is_superuser"] and not event.after["is_superuser"]


def test_a_deactivated_account_loses_its_session_and_tokens(admin) -> None:
    user = create(admin)
    services.user_set_password(user=user, actor=admin, password=PASSWORD)
    _, raw = services.token_create(user=user, name="script", actor=user)
    user.refresh_from_db()
    client = Client()
    client.force_login(user)
    assert client.get("/en/accounts/security/").status_code == 200
    services.user_deactivate(user=user, actor=admin, version=None)
    assert client.get("/en/accounts/security/").status_code == 302  # to log in
    assert services.token_user(raw) is None
    assert (
        Client()
        .post("/en/accounts/login/", {"username": "li.wei", "password": PASSWORD})
        .status_code
        == 200
    )  # refused, the form again
    services.user_reactivate(user=user, actor=admin, version=None)
    assert services.token_user(raw) == user


def test_the_system_actor_is_never_changed_and_never_signs_in(admin) -> None:
    system = system_actor()
    for attempt in (
        lambda: services.user_update(
            user=system,
            actor=admin,
            version=None,
            email="x@y.org",
            first_name="",
            last_name="",
            language="en",
        ),
        lambda: services.user_reactivate(user=system, actor=admin, version=None),
        lambda: services.membership_add(user=system, role=Role.ADMINISTRATOR, actor=admin),
        lambda: services.user_set_password(user=system, actor=admin, password=PASSWORD + "!"),
        lambda: services.user_send_password_reset(user=system, actor=admin),
        lambda: services.token_create(user=system, name="x", actor=admin),
    ):
        with pytest.raises(PermissionDenied, match="system account"):
            attempt()
    # Even if someone gave it a password and activated it in the database, it does not sign in.
    system.set_password(PASSWORD)
    system.is_active = True
    system.save()
    client = Client()
    client.post("/en/accounts/login/", {"username": system.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    client.force_login(system)  # a forged session is not honoured either
    assert client.get("/en/accounts/security/").status_code == 302


def test_a_password_set_or_reset_lifts_the_lockout_it_was_offered_for(admin) -> None:
    user = create(admin)
    services.user_set_password(user=user, actor=admin, password=PASSWORD)
    client = Client()
    for _ in range(10):
        client.post("/en/accounts/login/", {"username": "li.wei", "password": "wrong"})
    locked = client.post("/en/accounts/login/", {"username": "li.wei", "password": PASSWORD})
    assert "This account is locked" in locked.content.decode()
    # The owner follows the reset link the lockout message offers.
    client.post("/en/accounts/password/reset/", {"email": "li@example.org"})
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", str(mail.outbox[-1].body))
    assert link is not None
    form = client.get(link.group().split("testserver", 1)[1], follow=True)
    new = "a much longer passphrase"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert not LoginFailure.objects.filter(username="li.wei").exists()
    assert (
        client.post("/en/accounts/login/", {"username": "li.wei", "password": new}).status_code
        == 302
    )
    assert AuditEvent.objects.filter(action="account.password_reset", actor=user).exists()


@pytest.mark.django_db(transaction=True)  # the worker runs its own transactions
def test_an_administrator_sends_a_link_to_choose_a_password(admin) -> None:
    user = create(admin, language="en")
    services.user_send_password_reset(user=user, actor=admin)
    assert mail.outbox == []  # sent by the worker, after the change is committed
    call_command("worker", "--batch")
    message = mail.outbox[-1]
    assert message.to == ["li@example.org"]
    assert "An administrator of HRAP asks you to choose a password" in str(message.body)
    link = re.search(r"https?://\S+/en/accounts/password/reset/\S+/", str(message.body))
    assert link is not None
    event = AuditEvent.objects.get(action="user.password_reset_sent")
    assert event.actor == admin and event.after == {"email": "li@example.org"}
    nobody = create(admin, "no-mail")
    nobody.email = ""
    nobody.save()
    with pytest.raises(InvalidInput, match="no email address"):
        services.user_send_password_reset(user=nobody, actor=admin)


@pytest.mark.parametrize(
    ("username", "field"),
    [
        ("", "username"),
        ("a b", "username"),
        ("x" * 151, "username"),
        ("\x00", "username"),
        ("ROOT", "username"),
    ],
)
def test_bad_account_details_are_refused_naming_the_field(admin, username, field) -> None:
    with pytest.raises(InvalidInput) as error:
        create(admin, username)
    assert [p.where for p in error.value.problems] == [field]
    with pytest.raises(InvalidInput) as bad_mail:
        services.user_create(actor=admin, username="fine", email="not-mail", language="xx")
    assert {p.where for p in bad_mail.value.problems} == {"email", "language"}


@pytest.mark.django_db(transaction=True)
def test_two_administrators_taking_the_role_from_each_other_at_once_leave_one(admin) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite writes one transaction at a time)")
    other = create(admin, "second")
    services.membership_add(user=other, role=Role.ADMINISTRATOR, actor=admin)
    start, outcomes = threading.Barrier(2), []

    def take(user, actor) -> None:
        start.wait()
        try:
            services.membership_remove(user=user, role=Role.ADMINISTRATOR, actor=actor)
            outcomes.append("removed")
        except InvalidInput:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=take, args=pair) for pair in ((admin, other), (other, admin))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "removed"]
    assert Membership.objects.filter(role=Role.ADMINISTRATOR).count() == 1
