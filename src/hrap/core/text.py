"""Characters no stored text may hold. Plain logic, no Django (the plan file reader uses it).

Control characters other than tab and line breaks have no place in names and plan texts (and
PostgreSQL cannot store NUL at all); a lone surrogate (`\\ud800`) is not text and cannot be
encoded as UTF-8, so the database refuses it.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def unsafe_character(text: str) -> str | None:
    """A sentence naming the first character `text` may not hold, or None."""
    found = _UNSAFE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "lone surrogate" if 0xD800 <= code <= 0xDFFF else "control character"
    return f"{kind} U+{code:04X} at position {found.start()}"
