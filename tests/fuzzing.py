"""What the fuzz tests share: the hostile values, the roles, how a request is sent and judged.

Values are bytes, as they arrive over HTTP: a lone surrogate is `%ED%A0%80` in a urlencoded
body, never a Python string the test client would refuse to encode. A request whose answer is a
5xx, or whose view lets an exception escape, is a failure; everything else (400, 403, 404, 409,
413, a redirect) is the server saying no in its own words.
"""

from __future__ import annotations

import io
import os
import traceback
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes

from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

# The demo roles the brief names: anonymous, admin, secretariat, focal points of two agencies,
# the lead reviewer, a regional focal point and the evaluator (the matrix world's users).
ROLES = ["anonymous", "administrator", "secretariat", "focal_mee", "focal_moj", "reviewer_mee",
         "regional_bj", "evaluator"]  # fmt: skip

# Examples per role; HRAP_FUZZ_EXAMPLES raises it for a long run by hand.
EXAMPLES = int(os.environ.get("HRAP_FUZZ_EXAMPLES", "0")) or None
BOUNDED = settings(
    derandomize=True,  # the same examples every run
    database=None,
    deadline=None,
    phases=[Phase.generate],  # failures are collected, not shrunk: one run reports them all
    suppress_health_check=list(HealthCheck),
)

SURROGATE = b"\xed\xa0\x80"  # U+D800 as a browser's UTF-8 would send it: %ED%A0%80
HOSTILE_TEXT: list[bytes] = [
    b"1e30", b"-1e30", b"NaN", b"nan", b"inf", b"-inf", b"Infinity", b"-Infinity",
    b"9" * 5000, b"-" + b"9" * 5000, b"1." + b"0" * 4000 + b"1", b"1e-30", b"1e999999999",
    b"0", b"-1", b"-0", b"1.5", b"1,5", b"0x10", b"9223372036854775808",
    b"-9223372036854775809", b"2147483648", b"99999999999999999999",
    b"999999999999999999.999999", b"1_000", b"\xd9\xa3",  # an Arabic-Indic three
    SURROGATE, b"a" + SURROGATE + b"b", b"\xed\xbf\xbf", b"\x00", b"a\x00b", b"\xff\xfe",
    b"\xc0\xaf", b"", b" ", b"\t\r\n ", b"\xe3\x80\x80",  # an ideographic space
    b"x" * 70_000, b"\xe4\xb8\xad" * 20_000, b"abc", b"true", b"on", b"null", b"None",
    b"0000-00-00", b"2023-13", b"2023-13-01", b"2023-02-30", b"0000", b"9999-12-31",
    b"10000-01-01", b"-2023", b"2023-Q5", b"2023-Q0", b"2023-W99", b"2023-",
    b"<script>alert(1)</script>", b"=HYPERLINK(\"http://x\")", b"'; DROP TABLE x; --",
    b"../../etc/passwd", b"%", b"%00", b"\xe2\x80\xae", b"\xef\xbf\xbf", b"\xf0\x9f\x92\xa9",
    b"CN", b"CN-BJ", b"CN-SH", b"XX-YY", b"mee", b"moj", b"new",
]  # fmt: skip
NEGATIVE_IDS = [b"-1", b"-9223372036854775808", b"0", b"9223372036854775807", b"1" * 30]


def world_ids(world: dict[str, Any]) -> list[bytes]:
    """Ids that exist somewhere, most of them another plan's, agency's or region's objects."""
    from hrap.accounts.models import ApiToken
    from hrap.monitoring.models import Evidence, Observation, ProgressReport
    from hrap.plans.models import Assignment, Indicator, PlanNode, Target

    ids: set[int] = set()
    for model in (Target, PlanNode, ProgressReport, Indicator, Assignment, Observation,
                  Evidence, ApiToken):  # fmt: skip
        ids.update(model.objects.order_by("-pk").values_list("pk", flat=True)[:15])
        ids.update(model.objects.order_by("pk").values_list("pk", flat=True)[:5])
    ids.update(int(value) for value in world.values() if isinstance(value, int))
    return [str(n).encode() for n in sorted(ids)] + NEGATIVE_IDS


def hostile_values(world: dict[str, Any]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(world_ids(world)),
        st.text(max_size=30).map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.binary(max_size=30),
        st.integers().map(lambda n: str(n).encode()),
        st.floats().map(lambda f: repr(f).encode()),
    )


# --- Files --------------------------------------------------------------------------------------


def _xlsx(rows: Iterable[Iterable[str]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADING = ["indicator", "jurisdiction", "period", "disaggregation", "value", "source", "status"]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def upload_files(indicator: int) -> st.SearchStrategy[tuple[bytes, bytes]]:
    """(file name, content): random bytes, empty, truncated XLSX/CSV/PDF, hostile rows."""
    good = [str(indicator), "CN-BJ", "2023", "", "12.5", "fuzz", "provisional"]
    csv_text = (",".join(HEADING) + "\n" + ",".join(good) + "\n").encode()
    xlsx = _xlsx([HEADING, good])

    def with_cell(column: int, value: bytes) -> bytes:
        row = list(good)
        row[column] = value.decode("utf-8", "surrogatepass")
        text = ",".join(HEADING) + "\n" + ",".join(f'"{c}"' for c in row) + "\n"
        return text.encode("utf-8", "surrogatepass")

    names = st.sampled_from(
        [
            b"values.csv",
            b"values.xlsx",
            b"report.pdf",
            b"x",
            b"../../x.csv",
            b"a" * 300 + b".csv",
            b".csv",
            b"values.CSV",
            SURROGATE + b".csv",
            b"\xe5\x80\xbc.xlsx",
        ]
    )
    contents = st.one_of(
        st.binary(max_size=2000),
        st.just(b""),
        st.just(csv_text),
        st.just(xlsx),
        st.just(PDF),
        st.integers(0, len(xlsx)).map(lambda n: xlsx[:n]),
        st.integers(0, len(csv_text)).map(lambda n: csv_text[:n]),
        st.integers(0, len(PDF)).map(lambda n: PDF[:n]),
        st.tuples(st.integers(0, 6), st.sampled_from(HOSTILE_TEXT[:60])).map(
            lambda cv: with_cell(*cv)
        ),
        st.just(",".join(HEADING).encode() + b"\n" + b"," * 200_000 + b"\n"),
        st.just(b'"' + b"x" * 140_000 + b'"\n'),
        st.just(_zip_without_sheet()),
    )
    return st.tuples(names, contents)


def _zip_without_sheet() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


# --- Requests -----------------------------------------------------------------------------------


@dataclass
class Body:
    """A form body: fields in order (a name may come twice), files by field name."""

    fields: list[tuple[bytes, bytes]] = field(default_factory=list)
    files: list[tuple[bytes, bytes, bytes]] = field(default_factory=list)  # name, filename, content

    def encoded(self) -> tuple[bytes, str]:
        if not self.files:
            text = "&".join(
                f"{quote_from_bytes(k, safe=b'')}={quote_from_bytes(v, safe=b'')}"
                for k, v in self.fields
            )
            return text.encode("ascii"), "application/x-www-form-urlencoded"
        boundary = b"fuzzboundary7MA4YWxkTrZu0gW"
        out = io.BytesIO()
        for name, value in self.fields:
            out.write(b"--" + boundary + b"\r\n")
            out.write(b'Content-Disposition: form-data; name="' + name + b'"\r\n\r\n')
            out.write(value + b"\r\n")
        for name, filename, content in self.files:
            out.write(b"--" + boundary + b"\r\n")
            out.write(
                b'Content-Disposition: form-data; name="' + name + b'"; filename="' + filename
            )
            out.write(b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + b"\r\n")
        out.write(b"--" + boundary + b"--\r\n")
        return out.getvalue(), f"multipart/form-data; boundary={boundary.decode()}"


@dataclass
class Outcome:
    sent: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # where the error arose → one example
    statuses: dict[int, int] = field(default_factory=dict)
    by_target: dict[str, dict[int, int]] = field(default_factory=dict)

    def judge(self, what: str, send: Any, target: str = "") -> int:
        """Send one request inside a savepoint (nothing it writes outlives it); note a 5xx or
        an exception that escaped, keyed by where it arose so one defect is reported once."""
        sid = transaction.savepoint()
        self.sent += 1
        try:
            status = int(send().status_code)
        except Exception as error:  # the point of the test: nothing may escape
            frame = traceback.extract_tb(error.__traceback__)[-1]
            key = f"{type(error).__name__} at {frame.filename.split('/src/')[-1]}:{frame.lineno}"
            self.failures.setdefault(key, f"{what}: {type(error).__name__}: {str(error)[:200]}")
            status = 500
        else:
            if status >= 500:
                self.failures.setdefault(f"{status} {what[:80]}", what)
        finally:
            transaction.savepoint_rollback(sid)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        counts = self.by_target.setdefault(target, {})
        counts[status] = counts.get(status, 0) + 1
        return status

    def summary(self) -> str:
        """Statuses per target, to see that the fuzzing gets past the doors (HRAP_FUZZ_VERBOSE)."""
        if not os.environ.get("HRAP_FUZZ_VERBOSE"):
            return ""
        return "\n".join(f"  {t}: {sorted(c.items())}" for t, c in sorted(self.by_target.items()))

    def report(self) -> str:
        lines = [f"{len(self.failures)} server errors in {self.sent} requests:"]
        lines += [f"- {key}: {example[:400]}" for key, example in self.failures.items()]
        return "\n".join(lines)


def signed_in(client: Client, world: dict[str, Any], role: str) -> Client:
    client.cookies.clear()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client
