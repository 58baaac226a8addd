"""The interface language: the address's prefix decides it, and the switch swaps the prefix.

Django's `set_language` view resolves the page's address in the language of the browser or the
cookie, so a page in the other language does not resolve and the switch stays put. Plain links
to the same address under the other prefix work after Back, twice in a row and without a form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

Handler = Callable[[HttpRequest], HttpResponse]


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    tag: str  # the BCP 47 tag for the `lang` attribute
    url: str
    current: bool


def bcp47(code: str) -> str:
    """Django's language code as a `lang` attribute value (`zh-hans` → `zh-Hans`)."""
    head, _, script = code.partition("-")
    return f"{head}-{script.title()}" if len(script) == 4 else code


def path_language(path: str) -> str | None:
    """The interface language named by the address's first segment, if any."""
    first = path.lstrip("/").split("/", 1)[0].lower()
    return first if first in dict(settings.LANGUAGES) else None


def swap_prefix(full_path: str, code: str) -> str:
    """The same address (path and query) under another language prefix; an address without a
    prefix (outside the language-prefixed pages) goes to that language's home."""
    path, mark, query = full_path.partition("?")
    if path_language(path) is None:
        return f"/{code}/"
    rest = path.lstrip("/").split("/", 1)[1] if "/" in path.lstrip("/") else ""
    return f"/{code}/{rest}" + (mark + query if query else "")


def language_links(request: HttpRequest) -> list[LanguageLink]:
    current = translation.get_language()
    full_path = request.get_full_path()
    return [
        LanguageLink(code, str(name), bcp47(code), swap_prefix(full_path, code), code == current)
        for code, name in settings.LANGUAGES
    ]


class RememberLanguageMiddleware:
    """A page under a language prefix is in that language whatever the browser asks for (the
    LocaleMiddleware reads the prefix first); this remembers it in the language cookie, so that
    an address without a prefix (`/`, a link from a mail) opens in the language last chosen."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = path_language(request.path_info)
        if (
            code
            and response.status_code < 400
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
