"""Every form, as every role, with generated hostile values: no answer is a server error.

The forms are found, not listed: every page of the permission matrix is read as the
administrator (and as nobody), and every `<form method="post">` on it becomes a template with
its fields and the values the page offers (options, hidden versions, ids). The matrix's own
write rows are templates too, so a URL that takes POST without a page that shows its form is
still covered; `test_every_post_url_is_fuzzed` fails when a URL of the URLconf is neither.

Each role first posts every template as the page filled it, then hypothesis replaces, repeats
or drops a few fields (and sometimes a URL part) with hostile values: 1e30, NaN, 5,000 digits,
`%ED%A0%80`, NUL, 70,000 characters, `version=abc`, negative ids, other plans' and agencies'
ids, 0000-00-00, 2023-13, and files of random, empty or truncated bytes. Each request runs in a
savepoint that is rolled back, so examples do not build on each other and the run is the same
every time (derandomized).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve, reverse
from django.utils import translation
from fuzzing import (
    BOUNDED,
    EXAMPLES,
    ROLES,
    Body,
    Outcome,
    hostile_values,
    signed_in,
    upload_files,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from test_permission_matrix import CASES, FAMILIES_OUTSIDE, _data, _world, walk

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@dataclass
class Template:
    name: str  # the URL's name
    url: str
    fields: dict[bytes, list[bytes]] = field(default_factory=dict)
    files: list[bytes] = field(default_factory=list)

    def key(self) -> tuple[str, tuple[bytes, ...]]:
        return self.name, tuple(sorted(self.fields)) + tuple(self.files)


class FormReader(HTMLParser):
    """Every POST form on a page: its action and, per field, the values the page offers."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, dict[str, list[str]], list[str]]] = []
        self.queries: list[tuple[str, dict[str, list[str]], list[str]]] = []  # GET forms
        self._form: tuple[str, dict[str, list[str]], list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = (a.get("action") or self.page_url, {}, [])
            if a.get("method", "get").lower() == "post":
                self.forms.append(self._form)
            else:
                self.queries.append(self._form)
            return
        if self._form is None or not a.get("name"):
            return
        _, fields, files = self._form
        name = a["name"]
        if tag == "input" and a.get("type") == "file":
            files.append(name)
        elif tag in ("input", "button"):
            if a.get("type") in ("checkbox", "radio"):
                fields.setdefault(name, []).append(a.get("value", "on"))
            else:
                fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
            fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            fields.setdefault(name, [])
        if tag == "option" and self._select:
            fields[self._select].append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[1][self._textarea].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _pages(world: dict[str, Any]) -> list[str]:
    urls = []
    for case in CASES:
        if case.method != "get" or case.name.startswith("api:"):
            continue
        kwargs = {k: world.get(v, v) if isinstance(v, str) else v for k, v in case.kwargs.items()}
        urls.append(reverse(case.name, kwargs=kwargs))
    return list(dict.fromkeys(urls))


# Query parameters pages read besides their GET forms' fields.
QUERY_NAMES = {
    "page",
    "format",
    "by",
    "jurisdiction",
    "next",
    "language",
    "name",
    "flagged",
    "part",
}


def templates(world: dict[str, Any], query_names: set[str] | None = None) -> list[Template]:
    """The forms the pages show (as the administrator and as nobody) and the matrix's writes;
    the names of GET forms' fields go to `query_names`."""
    found: dict[tuple[str, tuple[bytes, ...]], Template] = {}
    for role in ("administrator", "anonymous", "focal_mee"):
        client = signed_in(Client(), world, role)
        for url in _pages(world):
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            reader = FormReader(url)
            reader.feed(response.content.decode())
            for _action, fields, _files in reader.queries:
                (query_names if query_names is not None else set()).update(fields)
            for action, fields, files in reader.forms:
                path = urlsplit(action).path or url
                try:
                    name = resolve(path).view_name
                except Resolver404:
                    continue
                template = Template(
                    name,
                    action if action.startswith("/") else url,
                    {k.encode(): [v.encode() for v in dict.fromkeys(vs)] or [b""] for k, vs in fields.items()},
                    [f.encode() for f in files],
                )  # fmt: skip
                template.fields.pop(b"csrfmiddlewaretoken", None)
                found.setdefault(template.key(), template)
    for case in CASES:
        if case.method != "post" or case.name.startswith("api:"):
            continue
        kwargs = {k: world.get(v, v) if isinstance(v, str) else v for k, v in case.kwargs.items()}
        data = _data(case, world)
        template = Template(case.name, reverse(case.name, kwargs=kwargs))
        for key, value in data.items():
            if hasattr(value, "read"):
                template.files.append(key.encode())
            else:
                template.fields[key.encode()] = [str(value).encode()]
        found.setdefault(template.key(), template)
    return list(found.values())


PLACEHOLDER = "zz9876543210zz"


def _with_hostile_part(url: str, part: bytes) -> str:
    """The same address with one of its captured parts (an id, a code, a ref) replaced."""
    match = resolve(urlsplit(url).path)
    if not match.kwargs:
        return url
    kwargs = dict(match.kwargs)
    name = sorted(kwargs)[len(part) % len(kwargs)]
    converter = match.route  # the route's text, e.g. "<int:report_id>/"
    kwargs[name] = 9876543210 if re.search(rf"<int:{name}>", converter) else PLACEHOLDER
    try:
        with translation.override(url.split("/")[1] if url.count("/") > 1 else None):
            address = reverse(match.view_name, kwargs=kwargs)
    except Exception:
        return url
    placeholder = "9876543210" if kwargs[name] == 9876543210 else PLACEHOLDER
    return address.replace(placeholder, quote_from_bytes(part, safe=b""), 1)


@st.composite
def form_posts(
    draw: st.DrawFn, pool: list[Template], hostile: st.SearchStrategy[bytes], indicator: int
) -> tuple[str, Body]:
    template = draw(st.sampled_from(pool))
    fields = [(name, draw(st.sampled_from(values))) for name, values in template.fields.items()]
    names = [name for name, _ in fields] + [b"version", b"remove", b"id", b"next"]
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(names))
        how = draw(st.sampled_from(["replace", "replace", "replace", "repeat", "drop", "add"]))
        value = draw(hostile)
        if how == "replace":
            fields = [(k, value if k == name else v) for k, v in fields] or [(name, value)]
        elif how == "repeat":
            fields.append((name, value))
        elif how == "drop":
            fields = [(k, v) for k, v in fields if k != name]
        else:
            fields.append((draw(hostile) or b"x", value))
    files = []
    for name in template.files:
        if draw(st.integers(0, 5)):
            filename, content = draw(upload_files(indicator))
            files.append((name, filename, content))
    url = template.url
    if draw(st.integers(0, 7)) == 0:
        url = _with_hostile_part(url, draw(hostile))
    return url, Body(fields, files)


def _name(url: str) -> str:
    try:
        return str(resolve(urlsplit(url).path).view_name)
    except Resolver404:
        return "(no such address)"


def _post(client: Client, url: str, body: Body, then: str = "") -> Any:
    """POST; when it was taken (a redirect), read where it leads and `then` another page, since
    a value stored but unreadable (1e30 as a float on SQLite) breaks the pages that show it."""
    raw, content_type = body.encoded()
    response = client.generic("POST", url, raw, content_type=content_type)
    location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
    for page in (location, then) if location.startswith("/") else ():
        read = client.get(page)
        if read.status_code >= 500:
            return read
    return response


def test_every_post_url_is_fuzzed() -> None:
    named = {
        n
        for n in walk(get_resolver().url_patterns)
        if not n.startswith(FAMILIES_OUTSIDE) and not n.startswith("api:")
    }
    written = {c.name for c in CASES if c.method == "post"}
    assert named - written == set(), "add a write row to the permission matrix: it is fuzzed"


@dataclass
class Fuzzing:
    """One run: the world, the forms found in it, and what came back."""

    client: Client
    world: dict[str, Any]
    pool: list[Template]
    pages: list[str]
    query_names: list[str]
    hostile: st.SearchStrategy[bytes]
    outcome: Outcome = field(default_factory=Outcome)

    def as_role(self, role: str) -> None:
        client, world, outcome = self.client, self.world, self.outcome
        signed_in(client, world, role)
        taken = []  # the forms that take a POST at all: hypothesis spends its examples there
        for template in self.pool:  # every form as the page filled it
            body = Body([(k, v[0]) for k, v in template.fields.items()])
            status = outcome.judge(
                f"{role} POST {template.url} {body.fields!r:.300}",
                lambda b=body, t=template: _post(client, t.url, b),
                template.name,
            )
            signed_in(client, world, role)
            if status != 405:
                taken += [template] * (3 if template.files else 1)  # uploads: the riskiest

        @settings(BOUNDED, max_examples=EXAMPLES or 60)
        @given(form_posts(taken, self.hostile, world["INDICATOR"]), st.sampled_from(self.pages))
        def posts(post: tuple[str, Body], page: str) -> None:
            url, body = post
            files = [(n, f) for n, f, _ in body.files]
            what = f"{role} POST {url[:200]} {body.fields!r:.300} files={files!r:.200}"
            outcome.judge(what, lambda: _post(client, url, body, page), _name(url))
            signed_in(client, world, role)

        queries = st.lists(
            st.tuples(st.sampled_from(self.query_names), self.hostile), min_size=1, max_size=3
        )

        @settings(BOUNDED, max_examples=(EXAMPLES or 60) // 3)
        @given(st.sampled_from(self.pages), queries)
        def reads(page: str, query: list[tuple[str, bytes]]) -> None:
            text = "&".join(
                f"{quote_from_bytes(k.encode())}={quote_from_bytes(v, safe=b'')}" for k, v in query
            )
            outcome.judge(
                f"{role} GET {page}?{text[:300]}",
                lambda: client.get(f"{page}?{text}"),
                f"GET {_name(page)}",
            )

        posts()
        reads()


def test_no_form_answers_any_input_with_a_server_error(
    settings_media: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = _world()
    query_names = set(QUERY_NAMES)
    pool = templates(world, query_names)
    posted = {c.name for c in CASES if c.method == "post" and not c.name.startswith("api:")}
    assert {t.name for t in pool} >= posted
    run = Fuzzing(
        Client(raise_request_exception=True),
        world,
        pool,
        _pages(world),
        sorted(query_names),
        hostile_values(world),
    )
    for role in ROLES:
        run.as_role(role)
    outcome = run.outcome
    with capsys.disabled():
        statuses = sorted(outcome.statuses.items())
        print(f"\nforms: {len(pool)} forms, {outcome.sent} requests, statuses {statuses}")
        print(outcome.summary())
    assert outcome.failures == {}, outcome.report()


@pytest.fixture
def settings_media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path  # evidence files land here, not in the worktree
    return tmp_path
