"""Template helpers for content text per language."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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
def loctext(texts: LocalizedText | None) -> str:
    """Plain chosen text, for attributes and page titles."""
    return choose(texts).text
