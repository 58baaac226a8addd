"""Input no column can hold, or too much of it, is refused with 400/413 naming the field: no 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def client() -> Client:
    # The API has no language in its paths: English is asked for, as a program would.
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("username=%00&password=x", "username"),
        ("username=ok&password=a%00b", "password"),
        ("username=%ED%A0%80&password=x", "username"),  # a lone surrogate, as UTF-8 bytes
        ("username=%FF%FE&password=x", "username"),  # not UTF-8 at all
        ("us%00er=x&password=x", "us\\x00er"),
    ],
)
def test_a_form_field_with_nul_or_broken_text_is_400_naming_it(
    client: Client, body: str, field: str
) -> None:
    response = client.post("/en/accounts/login/", body, content_type=FORM)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"<code>{field}</code>" in page and "Nothing was saved." in page
    assert "'self'" in response["Content-Security-Policy"]


def test_a_query_value_with_nul_or_a_surrogate_is_400(client: Client) -> None:
    for query in ("q=%00", "q=%ED%A0%80", "q=ok&plan=%C0"):
        response = client.get(f"/en/search/?{query}")
        assert response.status_code == 400, query
    named = client.get("/en/search/?q=ok&plan=%ED%A0%80").content.decode()
    assert "<code>plan</code>: is not valid UTF-8 text" in named


def test_a_multipart_field_with_nul_is_400(client: Client) -> None:
    response = client.post("/en/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400 and "<code>username</code>" in response.content.decode()


def test_a_nul_in_the_path_or_a_cookie_is_400_without_reading_the_session(client: Client) -> None:
    assert client.get("/en/plans/%00/").status_code == 400
    client.cookies["sessionid"] = "abc\x00def"
    response = client.get("/en/plans/")
    assert (
        response.status_code == 400 and "<code>Cookie sessionid</code>" in response.content.decode()
    )


def test_a_json_body_with_a_lone_surrogate_or_nul_is_400_naming_the_path(client: Client) -> None:
    for text, why in (('"\\ud800"', "is not valid UTF-8 text"), ('"a\\u0000"', "NUL")):
        response = client.patch(
            "/api/v1/agencies/mee",
            f'{{"name": {{"en": {text}}}}}',
            content_type="application/json",
        )
        assert response.status_code == 400
        body = response.json()
        assert body["problems"][0]["where"] == "name.en" and why in body["problems"][0]["what"]


def test_an_api_body_over_the_limit_is_413_in_json(client: Client) -> None:
    big = json.dumps({"name": {"en": "x" * (3 * 1024 * 1024)}})
    response = client.patch("/api/v1/agencies/mee", big, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "The request is too large: at most 2.5 MB of data."


def test_a_form_over_the_limit_is_413_and_too_many_fields_400(client: Client) -> None:
    big = client.post(
        "/en/accounts/login/", "username=" + "x" * (3 * 1024 * 1024), content_type=FORM
    )
    assert big.status_code == 413 and "Too large" in big.content.decode()
    many = "&".join(f"f{n}=1" for n in range(1100))
    assert client.post("/en/accounts/login/", many, content_type=FORM).status_code == 400


def test_deeply_nested_json_is_400(client: Client) -> None:
    response = client.patch(
        "/api/v1/agencies/mee", "[" * 100_000 + "]" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400


def test_ordinary_text_passes(client: Client) -> None:
    response = client.get("/en/search/", {"q": "生命权 ✓ é"})
    assert response.status_code == 200


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40), st.text(max_size=40))
def test_no_text_in_a_query_or_form_is_a_server_error(
    client: Client, name: str, value: str
) -> None:
    query = f"{_quote(name)}={_quote(value)}"
    assert client.get(f"/en/search/?{query}").status_code in (200, 400)
    login = client.post("/en/accounts/login/", query, content_type=FORM)
    assert login.status_code in (200, 400, 403)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text.encode("utf-8", "surrogatepass"), safe="")
