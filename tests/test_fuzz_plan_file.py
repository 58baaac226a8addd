"""`hrap plan validate` and `hrap plan import` on the sample plan file broken byte by byte: every
file is imported whole (exit 0) or refused with one line per problem (exit 2) and nothing
written; never a traceback.

`hrap.plans.tests.test_planfile_hostile` replaces values with hostile JSON (NaN, 5,000 digits,
keys given twice, wrong types, nesting); this file breaks the bytes themselves: truncated,
cut and spliced, bytes flipped or inserted, wrapped in deep nesting, keys repeated at the top,
an encoding that is not UTF-8, or nothing of the sample at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hrap.conftest import SAMPLE
from hrap.conftest import run_command as run
from hrap.core.models import AuditEvent
from hrap.plans.models import Indicator, Plan, PlanNode, Target

VALID = SAMPLE.read_bytes()


def _written() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Plan, PlanNode, Target, Indicator, AuditEvent))


@st.composite
def broken_files(draw: st.DrawFn) -> bytes:
    raw = VALID
    at = draw(st.integers(0, len(raw)))
    how = draw(
        st.sampled_from(
            [
                "truncate",
                "insert",
                "flip",
                "cut",
                "repeat",
                "nest",
                "keys",
                "utf16",
                "gb18030",
                "bom",
                "random",
            ]
        )
    )
    if how == "truncate":
        return raw[:at]
    if how == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    if how == "flip":
        return raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    if how == "cut":
        return raw[:at] + raw[at + draw(st.integers(1, 2000)) :]
    if how == "repeat":
        end = min(len(raw), at + draw(st.integers(1, 3000)))
        return raw[:end] + raw[at:end] + raw[end:]
    if how == "nest":
        depth = draw(st.sampled_from([65, 1000, 200_000]))
        return b'{"a": ' * depth + raw + b"}" * depth
    if how == "keys":  # the top level's keys given twice, the second time broken
        return raw.rstrip()[:-1] + b', "plan": {"slug": 1}, "nodes": "x", "format": null}'
    if how == "utf16":
        return raw.decode().encode("utf-16")
    if how == "gb18030":
        return raw.decode().encode("gb18030")
    if how == "bom":
        return b"\xef\xbb\xbf" + raw
    return draw(st.binary(max_size=5000))


@pytest.mark.slow
@pytest.mark.django_db
@given(raw=broken_files())
@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
def test_a_broken_plan_file_is_imported_whole_or_refused_in_one_line_per_problem(
    raw: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(raw)
    sid = transaction.savepoint()
    try:
        before = _written()
        for action in ("validate", "import"):
            args = ("plan", action, "--replace", str(path)) if action == "import" else ("plan", action, str(path))  # fmt: skip
            code, out, err = run(*args)
            assert code in (0, 2), (action, code, err[:300])
            assert "Traceback" not in err
            if code == 2:
                lines = err.splitlines()
                assert out == "" and lines, (action, err[:300])
                assert all(line.startswith(f"{path}: ") for line in lines), lines[:3]
                assert all(len(line) < 2000 for line in lines)
                if action == "import":
                    assert _written() == before
            elif action == "import":
                assert out.startswith("imported ")
    finally:
        transaction.savepoint_rollback(sid)
