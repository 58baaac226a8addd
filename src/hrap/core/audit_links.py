"""Links from audit events to their objects, given by the app that owns each kind of object.

The audit page lives low in the layers (`accounts`); each app registers, for its own models, a
function that takes the viewer and object ids and returns the address of each object the viewer
may see (objects they may not see get no link), in a query or two for a whole page of events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

Linker = Callable[[Any, list[str]], dict[str, str]]
_linkers: dict[str, Linker] = {}


def register(target_type: str, linker: Linker) -> None:
    """`target_type` as audit events name it: "monitoring.progressreport"."""
    _linkers[target_type] = linker


def links(viewer: Any, targets: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(target type, target id) → address, for the targets this viewer may open."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for target_type, target_id in targets:
        if target_type in _linkers and target_id not in wanted[target_type]:
            wanted[target_type].append(target_id)
    found: dict[tuple[str, str], str] = {}
    for target_type, ids in wanted.items():
        usable = [i for i in ids if i.isascii() and i.isdigit() and len(i) < 19]
        for target_id, url in _linkers[target_type](viewer, usable).items():
            found[(target_type, target_id)] = url
    return found
