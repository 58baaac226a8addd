"""Translation for plain-Python modules: they mark their messages with `_`, and Django's gettext
is installed when the apps are ready, so the pure parsers stay free of Django and still speak
the person's language inside a request (identity without Django, e.g. in their unit tests)."""

from __future__ import annotations

from collections.abc import Callable


def _identity(message: str) -> str:
    return message


_translate: Callable[[str], str] = _identity


def _(message: str) -> str:
    """`message` in the active interface language (a msgid for the catalog)."""
    return _translate(message)


def install(translate: Callable[[str], str]) -> None:
    global _translate
    _translate = translate
