"""Panels that apps higher in the layers add to pages of apps below them.

`plans` shows a node page; `monitoring` (which depends on plans) adds the node's progress to it by
registering a panel, so plans never imports monitoring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

Panel = Callable[[HttpRequest, object], SafeString | None]
_panels: dict[str, list[Panel]] = defaultdict(list)


def register(page: str, panel: Panel) -> None:
    if panel not in _panels[page]:
        _panels[page].append(panel)


def render(page: str, request: HttpRequest, obj: object) -> list[SafeString]:
    return [html for panel in _panels[page] if (html := panel(request, obj))]
