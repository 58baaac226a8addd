"""Every operation of the OpenAPI document of /api/v1/, as every role, with hostile bodies,
parameters and credentials: no answer is a server error.

The operations are read from the document the API publishes, so an endpoint added later is
fuzzed without a change here (`test_every_operation_is_fuzzed_as_every_role` fails if one is
missed). Bodies are generated from each operation's JSON schema, with values replaced by what
a hostile client sends (NaN, 1e999, 5,000-digit numbers, `\\ud800`, NUL, wrong types, nesting
10,000 deep, keys given twice) or by bytes that are no JSON at all; parameters get other
agencies' codes and broken text; credentials are the role's token, the session, or garbage.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client
from fuzzing import BOUNDED, EXAMPLES, HOSTILE_TEXT, ROLES, Outcome, signed_in
from hypothesis import given, settings
from hypothesis import strategies as st
from test_permission_matrix import SLUG, _world

from hrap.accounts import services

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PREFIX = "/api/v1"
METHODS = ("get", "post", "put", "patch", "delete", "head", "options")

# JSON text a hostile client puts where a value belongs (as text: NaN and 1e999 are not JSON).
HOSTILE_JSON = [
    "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e30", "9" * 5000, "-" + "9" * 5000,
    "1." + "0" * 4000 + "1", "1e-30", "9223372036854775808", "-9223372036854775809", "-1", "0",
    "1.5", "true", "null", "[]", "{}", '""', '" "', '"abc"', '"\\ud800"', '"a\\u0000b"',
    '"\\udfff\\ud800"', '"' + "x" * 70_000 + '"', '{"\\ud800": "x"}', '{"": ""}',
    '{"en": null}', '{"en": 1}', '{"en": ["x"]}', '{"xx-invalid-tag": "x"}', '{"en": ""}',
    '{"zh-Hans": "\\u751f\\u6001"}', '"=cmd|\' /C calc\'!A0"', "[" * 10_000 + "]" * 10_000,
    '{"a":' * 3000 + "1" + "}" * 3000, '{"version": 1, "version": "abc"}',
]  # fmt: skip
RAW_BODIES = [
    b"", b"{", b"}", b"null", b"[]", b"NaN", b"\xff\xfe{}", b'{"name": {"en": "x"}',
    b'{"name": {"en": "\xed\xa0\x80"}, "version": 1}', b'{"name": {"en": "a\\u0000"}, "version": 1}',
    b"[" * 100_000 + b"]" * 100_000, b'{"name": {"en": "' + b"x" * 3_000_000 + b'"}, "version": 1}',
    b'{"name": {"en": "x"}, "version": 1, "version": 99}', b'{"name": "x", "version": "abc"}',
    b'{"name": {"en": "x"}, "version": 1e999}', b'{"name": {"en": "x"}, "version": ' + b"9" * 5000 + b"}",
    b'{"name": {"en": "x"}, "version": NaN}', b'{"name": {"en": "x"}, "version": -1}',
]  # fmt: skip
CONTENT_TYPES = ["application/json", "application/json; charset=latin-1", "text/plain",
                 "application/x-www-form-urlencoded", "multipart/form-data", "",
                 "application/json; charset=\ud800".encode("utf-8", "surrogatepass").decode("latin-1")]  # fmt: skip


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def from_schema(
    schema: dict[str, Any], document: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[str]:
    """JSON text for a schema: mostly what it asks for, sometimes hostile text in a value's place."""
    schema = _resolve(schema, document)
    hostile = st.sampled_from(HOSTILE_JSON)
    if "anyOf" in schema:
        valid = st.one_of([from_schema(s, document, depth + 1) for s in schema["anyOf"]])
    elif schema.get("type") == "object" and depth < 4:
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        pairs = [st.tuples(st.just(k), from_schema(v, document, depth + 1)) for k, v in properties.items()]  # fmt: skip
        if isinstance(extra, dict):
            keys = st.sampled_from(["en", "zh-Hans", "fr", "", "x" * 300, "\\ud800", "en"])
            pairs.append(st.tuples(keys, from_schema(extra, document, depth + 1)))
        members = st.lists(st.one_of(pairs), max_size=6) if pairs else st.just([])
        valid = members.map(
            lambda kv: "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in kv) + "}"
        )
        if properties:  # usually every property once, as a client would send it
            whole = st.tuples(*pairs[: len(properties)]).map(lambda kv: "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in kv) + "}")  # fmt: skip
            valid = st.one_of(whole, whole, valid)
    elif schema.get("type") == "integer":
        valid = st.sampled_from(["1", "2", "0", "3"])
    elif schema.get("type") == "string":
        valid = st.text(max_size=20).map(lambda s: json.dumps(s, ensure_ascii=False))
    else:
        valid = st.sampled_from(["1", '"x"', "null"])
    return st.one_of(valid, valid, valid, hostile)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, items in document["paths"].items():
        for method, operation in items.items():
            if method in METHODS:
                found.append((method, path, operation))
    return found


def _path_values(world: dict[str, Any]) -> list[bytes]:
    return [SLUG.encode(), b"mee", b"moj", b"mof", b"no-such", b"MEE", b"CN", b"..", b".",
            b"%2F", *HOSTILE_TEXT]  # fmt: skip


@st.composite
def api_requests(
    draw: st.DrawFn, ops: list[tuple[str, str, dict[str, Any]]], document: dict[str, Any],
    world: dict[str, Any],
) -> tuple[str, str, bytes, str, str | None, tuple[str, str]]:  # fmt: skip
    writes = [op for op in ops if "requestBody" in op[2]]
    method, path, operation = draw(st.sampled_from(ops + writes * 3))
    if draw(st.integers(0, 9)) == 0:
        method = draw(st.sampled_from(METHODS))
    url = path
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            value = draw(
                st.one_of(
                    st.sampled_from([SLUG.encode(), b"mee", b"moj", b"mof"]),
                    st.sampled_from(_path_values(world)),
                )
            )
            url = url.replace("{" + parameter["name"] + "}", quote_from_bytes(value, safe=b""))
    body = b""
    content_type = "application/json"
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")  # fmt: skip
    choice = draw(st.integers(0, 9))
    if schema is not None and choice < 7:
        body = draw(from_schema(schema, document)).encode("utf-8", "surrogatepass")
    elif choice < 9 or schema is None:
        body = draw(st.sampled_from(RAW_BODIES))
    else:
        body = draw(st.binary(max_size=200))
    if draw(st.integers(0, 5)) == 0:
        content_type = draw(st.sampled_from(CONTENT_TYPES))
    query = ""
    if draw(st.integers(0, 5)) == 0:
        query = "?" + quote_from_bytes(draw(st.sampled_from(HOSTILE_TEXT)), safe=b"=&")
    credentials = draw(st.sampled_from(["token", "token", "session", "none", "garbage"]))
    garbage = draw(st.sampled_from(["Bearer", "Bearer ", "Bearer x", "Basic YTpi", "bearer " + "x" * 5000,
                                    "Bearer \ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
                                    "Bearer a\tb", "Token abc", "Bearer " + "é" * 10]))  # fmt: skip
    return method, url + query, body, content_type, garbage, (credentials, path)


def _send(client: Client, method: str, url: str, body: bytes, content_type: str, headers: dict[str, str]) -> Any:  # fmt: skip
    return client.generic(method.upper(), url, body, content_type=content_type, **headers)


def _as_role(
    role: str, client: Client, world: dict[str, Any], document: dict[str, Any], outcome: Outcome
) -> set[tuple[str, str]]:
    """Every operation once as a well-behaved client of this role, then hostile requests;
    the operations sent."""
    ops = operations(document)
    token = ""
    if role != "anonymous":
        user = world["users"][role]
        _, token = services.token_create(user=user, name="fuzz", actor=user)

    def headers_for(credentials: str, garbage: str | None) -> dict[str, str]:
        signed_in(client, world, role if credentials == "session" else "anonymous")
        if credentials == "token" and token:
            return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if credentials == "garbage" and garbage:
            return {"HTTP_AUTHORIZATION": garbage}
        return {}

    seen = set()
    for method, path, operation in ops:
        url = path.replace("{slug}", SLUG).replace("{code}", "moj")
        body = b'{"name": {"en": "Ministry of Justice"}, "version": 1}' if "requestBody" in operation else b""  # fmt: skip
        headers = headers_for("token", None)
        status = outcome.judge(
            f"{role} {method.upper()} {url}",
            lambda m=method, u=url, b=body, h=headers: _send(
                client, m, u, b, "application/json", h
            ),
            f"{method} {path}",
        )
        if role == "administrator":  # the fuzzing reaches the endpoints, not a 404 before them
            assert status == 200, (method, url, status)
        seen.add((method, path))

    @settings(BOUNDED, max_examples=EXAMPLES or 70)
    @given(api_requests(ops, document, world))
    def fuzz(request: tuple[str, str, bytes, str, str | None, tuple[str, str]]) -> None:
        method, url, body, content_type, garbage, (credentials, path) = request
        headers = headers_for(credentials, garbage)
        what = f"{role} {method.upper()} {url[:200]} {credentials} {content_type} {body[:300]!r}"
        outcome.judge(
            what,
            lambda: _send(client, method, url, body, content_type, headers),
            f"{method} {path}",
        )

    fuzz()
    return seen


def test_no_api_operation_answers_any_input_with_a_server_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    world = _world()
    client = Client(raise_request_exception=True)
    document = client.get(f"{PREFIX}/openapi.json").json()
    ops = operations(document)
    assert ops, "the OpenAPI document lists no operation"
    outcome = Outcome()
    for role in ROLES:
        seen = _as_role(role, client, world, document, outcome)
        assert seen == {(m, p) for m, p, _ in ops}, role
    with capsys.disabled():
        statuses = sorted(outcome.statuses.items())
        print(f"\napi: {len(ops)} operations, {outcome.sent} requests, statuses {statuses}")
        print(outcome.summary())
    assert outcome.failures == {}, outcome.report()
