"""Template helpers for content text per language."""

from __future__ import annotations

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hrap.core.languages import LanguageLink, language_links
from hrap.core.localized import LocalizedText, choose

register = template.Library()

LANGUAGE_NAMES = {"zh-Hans": "中文", "zh-Hant": "中文（繁體）", "en": "English"}


@register.simple_tag
def loc(texts: LocalizedText | None, empty: str = "") -> SafeString:
    """The text in the interface language, marked as a fallback when shown in another one."""
    shown = choose(texts)
    if not shown.text:
        return format_html('<span class="empty">{}</span>', empty) if empty else SafeString("")
    if not shown.fallback:
        return format_html("{}", shown.text)
    name = LANGUAGE_NAMES.get(shown.language, shown.language)
    return format_html(
        '<span lang="{}" class="fallback">{}</span>'
        '<small class="fallback-mark" title="{}">{}</small>',
        shown.language,
        shown.text,
        _("No text in this language; shown in %(language)s") % {"language": name},
        name,
    )


@register.filter
def as_json(value: object) -> str:
    """A recorded state as readable JSON, Chinese kept as characters."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=1)


@register.filter
def loctext(texts: LocalizedText | None) -> str:
    """Plain chosen text, for attributes and page titles."""
    return choose(texts).text


_HAN_NUMERAL = set("一二三四五六七八九十百零〇")


def _label(number: str) -> str:
    """A number as a plan prints it before a heading: 七、 · （一） · III. · 1."""
    if not number or number[-1] in ")）.、:：":
        return number
    if set(number) <= _HAN_NUMERAL:
        return f"{number}、"
    return f"{number}. "


@register.simple_tag
def numbered(node: object, empty: str = "") -> SafeString:
    """A node's number label and title as the plan prints them, e.g. 七、实施、监督和评估.

    A node without a title (a bullet that is all body) shows the start of its text instead.
    """
    number = choose(getattr(node, "number", None))
    title = choose(getattr(node, "title", None))
    if not title.text:
        body = choose(getattr(node, "text", None))
        if not body.text:
            return format_html("{}{}", _label(number.text), loc(None, empty) if empty else "")
        short = body.text if len(body.text) <= 90 else body.text[:90].rstrip() + "…"
        return format_html('{}<span class="untitled">{}</span>', _label(number.text), short)
    label = _label(number.text) if number.language == title.language else ""
    if not title.fallback:
        return format_html("{}{}", label, title.text)
    return format_html("{}{}", label, loc(getattr(node, "title", None)))


@register.simple_tag(takes_context=True)
def language_switch(context: template.Context) -> list[LanguageLink]:
    """Links to this page (path and query) in each interface language."""
    request = context.get("request")
    return language_links(request) if request is not None else []
