"""Request handling shared by every page and endpoint, each in one place.

`TrustedProxyMiddleware` sets the client's address and scheme from trusted proxies only;
`RequestHygieneMiddleware` refuses bodies that are too big and text that no column can hold
(NUL, lone surrogates, broken UTF-8) with 400/413 naming the field, before any view sees them;
`HrapErrorMiddleware` maps `HrapError` to HTTP and notes the request address for audit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from hrap.core.context import request_address
from hrap.core.errors import HrapError, InvalidInput, Problem
from hrap.core.network import client_address, is_trusted_proxy

Handler = Callable[[HttpRequest], HttpResponse]

# Headers only a proxy may set; from anyone else they are dropped before Django reads them.
FORWARDED = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


class TrustedProxyMiddleware:
    """First in the chain: REMOTE_ADDR becomes the client's address when the peer is a trusted
    proxy (`HRAP_TRUSTED_PROXIES`), and forwarded headers from anyone else are dropped, so the
    lockout, the audit trail and `request.is_secure()` (SECURE_PROXY_SSL_HEADER) believe only
    the proxies."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        trusted = tuple(settings.HRAP_TRUSTED_PROXIES)
        peer = request.META.get("REMOTE_ADDR")
        if trusted and is_trusted_proxy(peer, trusted):
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            request.META["REMOTE_ADDR"] = client_address(peer, forwarded, trusted)
        else:
            for header in FORWARDED:
                request.META.pop(header, None)
        return self.get_response(request)


class RequestHygieneMiddleware:
    """Reads the request's data once, early, and refuses what would otherwise end in a 500."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            problems = list(_problems(request))
        except RequestDataTooBig:
            megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
            what = _("The request is too large: at most %(size)s MB of data.") % {
                "size": f"{megabytes:g}"
            }
            return _refuse(request, 413, [Problem("", what)])
        except (TooManyFieldsSent, TooManyFilesSent):
            return _refuse(request, 400, [Problem("", _("The request has too many fields."))])
        except (MultiPartParserError, UnreadablePostError, RecursionError):
            return _refuse(request, 400, [Problem("", _("The request's data cannot be read."))])
        if problems:
            return _refuse(request, 400, problems)
        return self.get_response(request)


SURROGATE = re.compile("[\ud800-\udfff]")


def _bad_text(text: str) -> str | None:
    """Why a text cannot be stored, or None: databases refuse NUL and lone surrogates."""
    if "\x00" in text:
        return _("contains a NUL character")
    if SURROGATE.search(text):
        return _("is not valid UTF-8 text")
    return None


def _shown(name: str) -> str:
    """A field name fit to show back, even when the name itself is what is wrong."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name[:100]
    )


def _problems(request: HttpRequest) -> Iterator[Problem]:
    for where, text in (("path", request.path_info), *_headers(request)):
        why = _bad_text(text)
        if why:
            yield Problem(where, why)
            return
    yield from _undecodable(request.META.get("QUERY_STRING", ""))
    yield from _fields(request.GET.lists())
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        # Files stream to disk (Django strips NUL from their names); fields are capped.
        yield from _fields(request.POST.lists())
        return
    body = request.body  # RequestDataTooBig beyond DATA_UPLOAD_MAX_MEMORY_SIZE
    if content_type == "application/x-www-form-urlencoded":
        yield from _undecodable(body.decode("latin-1"))
        yield from _fields(request.POST.lists())
    elif content_type.endswith("json") and body:
        try:
            document = json.loads(body)
        except ValueError:
            return  # not JSON: the endpoint says so in its own words
        yield from _json_texts(document)


def _headers(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            yield key.removeprefix("HTTP_").replace("_", "-").title(), value
    for name, value in request.COOKIES.items():  # unquoted: "\000" in a cookie becomes NUL
        yield f"Cookie {_shown(name)}", f"{name}{value}"


def _undecodable(urlencoded: str) -> Iterator[Problem]:
    """Fields whose bytes are not UTF-8 (e.g. %ED%A0%80, a lone surrogate), which Django would
    otherwise turn silently into U+FFFD."""
    for pair in urlencoded.split("&"):
        name, _sep, value = pair.partition("=")
        for part in (name, value):
            try:
                unquote_to_bytes(part.replace("+", " ")).decode("utf-8")
            except UnicodeDecodeError:
                shown = unquote_to_bytes(name.replace("+", " ")).decode("utf-8", "replace")
                yield Problem(_shown(shown), _("is not valid UTF-8 text"))
                break


def _fields(lists: Iterable[tuple[str, list[str]]]) -> Iterator[Problem]:
    for name, values in lists:
        for text in (name, *values):
            why = _bad_text(text)
            if why:
                yield Problem(_shown(name), why)
                break


def _json_texts(document: Any) -> Iterator[Problem]:
    """Every string (keys too) in a JSON document, with its path, checked like form fields."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            why = _bad_text(value)
            if why:
                yield Problem(path or "body", why)
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{_shown(key)}" if path else _shown(key)
                why = _bad_text(key)
                if why:
                    yield Problem(inner, why)
                stack.append((inner, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{n}]", item) for n, item in enumerate(value))


def _refuse(request: HttpRequest, status: int, problems: list[Problem]) -> HttpResponse:
    error = InvalidInput(problems)
    error.status = status
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "error": str(error),
                "problems": [{"where": p.where, "what": p.what} for p in problems],
            },
            status=status,
        )
    # A page of its own, rendered without the request: the site's context (the user, messages)
    # would read the session, and a broken cookie may be what is refused.
    page = render_to_string("core/bad_request.html", {"error": error, "problems": problems})
    return HttpResponse(page, status=status)


class HrapErrorMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_address.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            request_address.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, HrapError):
            return None
        response = TemplateResponse(
            request, "core/error.html", {"error": exception}, status=exception.status
        )
        return response.render()
