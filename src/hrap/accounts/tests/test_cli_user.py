"""`hrap user`: the same services as the pages, run as the system actor; one line per step, and
exit 2 with one line per problem."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from hrap.accounts.models import LoginFailure, Role
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent

pytestmark = pytest.mark.django_db
# By name: accounts sits below the directory in the layers, its tests too.
Agency = apps.get_model("directory", "Agency")
Jurisdiction = apps.get_model("directory", "Jurisdiction")
PASSWORD = "correct horse battery"


def hrap_user(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("user", *args, stdout=out, stderr=err, stdin=io.StringIO(stdin))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue().strip(), err.getvalue().strip()


@pytest.fixture
def places() -> None:
    Agency.objects.create(code="mee", name={"en": "MEE"})
    Jurisdiction.objects.create(code="CN-BJ", name={"en": "Beijing"}, level=2)


def test_create_grant_list_and_sign_in(places) -> None:
    assert hrap_user("create", "li.wei", "--email", "li@example.org", "--password-stdin",
                     stdin=PASSWORD + "\n") == (0, "created li.wei with a password", "")  # fmt: skip
    assert hrap_user("grant", "li.wei", "focal_point", "--agency", "mee") == (
        0, "granted focal_point mee to li.wei", "")  # fmt: skip
    assert hrap_user("grant", "li.wei", "administrator")[0] == 0
    out = hrap_user("list", "--json")[1]
    rows = {row["username"]: row for row in json.loads(out)}
    assert rows["li.wei"]["roles"] == ["administrator", "focal_point mee"]
    assert rows["hrap-system"]["system"] is True
    out = hrap_user("list", "--agency", "mee")[1]
    assert out.splitlines() == [
        "li.wei                   active      administrator, focal_point mee"
    ]
    client = Client()
    client.post("/en/accounts/login/", {"username": "li.wei", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    assert set(AuditEvent.objects.values_list("actor", flat=True)) >= {system_actor().pk}


def test_revoke_deactivate_reactivate(places) -> None:
    hrap_user("create", "li.wei")
    hrap_user("grant", "li.wei", "regional_focal_point", "--jurisdiction", "CN-BJ")
    assert hrap_user("revoke", "li.wei", "regional_focal_point", "--jurisdiction", "CN-BJ")[1] == (
        "took regional_focal_point CN-BJ from li.wei"
    )
    assert hrap_user("deactivate", "li.wei") == (0, "deactivated li.wei", "")
    assert not get_user_model().objects.get(username="li.wei").is_active
    assert hrap_user("reactivate", "li.wei") == (0, "reactivated li.wei", "")


def test_set_password_lifts_the_lockout() -> None:
    hrap_user("create", "li.wei")
    for _ in range(10):
        LoginFailure.objects.create(username="li.wei", address="10.0.0.1")
    code, out, _ = hrap_user("set-password", "li.wei", "--password-stdin", stdin=PASSWORD)
    assert code == 0 and out == "password set for li.wei; its lockout, if any, is lifted"
    assert not LoginFailure.objects.exists()
    assert AuditEvent.objects.filter(action="user.set_password").exists()


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (("grant", "nobody", "evaluator"), "", "hrap user: no user named 'nobody'"),
        (("grant", "li.wei", "focal_point", "--agency", "nope"), "",
         "hrap user: agency: no agency has the code nope"),
        (("grant", "li.wei", "focal_point"), "", "hrap user: agency: This role is for an agency: choose one."),
        (("create", "li.wei"), "", "hrap user: username: This username is taken."),
        (("create", "bad name"), "", "hrap user: username: Up to 150 letters, digits and @ . + - _ only."),
        (("set-password", "li.wei", "--password-stdin"), "short", "hrap user: password: "),
        (("deactivate", "hrap-system"), "", "hrap user: The system account is HRAP itself: it cannot be changed."),
        (("revoke", "li.wei", "secretariat"), "", "hrap user: role: li.wei does not have this role."),
        (("send-reset", "li.wei"), "", "hrap user: email: li.wei has no email address."),
    ],
)  # fmt: skip
def test_problems_exit_2_in_one_line_each(places, args, stdin: str, says: str) -> None:
    hrap_user("create", "li.wei")
    system_actor()
    code, out, err = hrap_user(*args, stdin=stdin)
    assert code == 2 and out == ""
    assert err.startswith(says) and all(line.startswith("hrap user: ") for line in err.splitlines())


def test_a_refused_password_creates_no_account() -> None:
    code, _, err = hrap_user("create", "li.wei", "--password-stdin", stdin="li.wei\n")
    assert code == 2 and "password" in err
    assert not get_user_model().objects.filter(username="li.wei").exists()


def test_the_last_administrator_is_not_revoked() -> None:
    hrap_user("create", "root")
    hrap_user("grant", "root", Role.ADMINISTRATOR)
    code, _, err = hrap_user("revoke", "root", Role.ADMINISTRATOR)
    assert code == 2 and err == "hrap user: role: root is the last administrator."
