"""The plan file: round trip byte for byte, and every way a file is refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hrap.accounts.system import system_actor
from hrap.core.errors import InvalidInput
from hrap.plans import planfile, selectors, services
from hrap.plans.models import Plan, PlanNode, Target
from hrap.plans.synthetic import synthetic_plan


def problems_of(document: Any) -> list[str]:
    return [str(p) for p in planfile.validate(document)]


@pytest.fixture
def doc(sample_bytes: bytes) -> dict[str, Any]:
    document, problems = planfile.parse(sample_bytes)
    assert document is not None and not problems
    return document


def test_sample_file_is_valid_and_canonical(sample_bytes: bytes, doc: dict[str, Any]) -> None:
    assert planfile.validate(doc) == []
    assert planfile.dumps(doc).encode() == sample_bytes


@pytest.mark.django_db
def test_import_export_import_gives_the_same_bytes(sample_bytes: bytes) -> None:
    plan = services.plan_import(raw=sample_bytes, actor=system_actor())
    first = planfile.dumps(selectors.plan_document(plan=plan))
    assert first.encode() == sample_bytes
    again = services.plan_import(raw=first.encode(), actor=system_actor(), replace=True)
    assert planfile.dumps(selectors.plan_document(plan=again)) == first


@pytest.mark.django_db
def test_import_keeps_both_languages_and_targets(sample_bytes: bytes) -> None:
    plan = services.plan_import(raw=sample_bytes, actor=system_actor())
    life = PlanNode.objects.get(plan=plan, ref="II.1")
    assert life.title == {"zh-Hans": "生命权", "en": "Right to Life"}
    assert PlanNode.objects.filter(plan=plan, kind="section").count() == 34
    assert PlanNode.objects.filter(plan=plan, kind="part").count() == 7
    pm25 = Target.objects.get(node__ref="III.1.1", indicator__name__en__startswith="average PM2.5")
    assert (pm25.value, pm25.unit, pm25.direction, pm25.relative) == (10, "%", "decrease", True)


def test_a_non_integral_value_keeps_its_digits(doc: dict[str, Any]) -> None:
    target = doc["nodes"][3]["children"][0]["children"][0]["targets"][0]
    target["value"] = planfile.Decimal("12.25")
    text = planfile.dumps(doc)
    assert '"value": 12.25,' in text
    assert planfile.parse(text.encode())[0] == json.loads(text, parse_float=planfile.Decimal)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe\x00bad", "byte 0: the file is not UTF-8 text"),
        (
            b'{"format": "hrap-plan/1",\n "plan": }',
            "line 2 column 10: invalid JSON: Expecting value",
        ),
        (b"[1, 2]", "$: the top level must be an object"),
    ],
)
def test_unreadable_files_are_refused_with_where_and_what(raw: bytes, expected: str) -> None:
    document, problems = planfile.parse(raw)
    assert document is None
    assert [str(p) for p in problems] == [expected]


def _mutate(doc: dict[str, Any], change: str) -> dict[str, Any]:
    d = copy.deepcopy(doc)
    part = d["nodes"][3]  # III
    task = part["children"][0]["children"][0]  # III.1.1
    match change:
        case "format":
            d["format"] = "hrap-plan/2"
        case "missing-slug":
            del d["plan"]["slug"]
        case "bad-kind":
            part["kind"] = "chapter"
        case "extra-key":
            task["owner"] = "MEE"
        case "bad-language-tag":
            task["title"]["English"] = "x"
        case "undeclared-language":
            task["title"]["fr"] = "Améliorer la qualité de l'air"
        case "duplicate-ref":
            part["children"][1]["ref"] = "III.1"
        case "nesting":
            task["children"] = [{"ref": "III.1.1.a", "kind": "section"}]
        case "period":
            d["plan"]["period"] = {"start": 2025, "end": 2021}
        case "date":
            d["plan"]["adopted"] = "2021-13-40"
        case "direction":
            task["targets"][0]["direction"] = "up"
        case "value-type":
            task["targets"][0]["value"] = "ten"
        case "huge-value":
            task["targets"][0]["value"] = 10**20
        case "year":
            task["targets"][0]["year"] = 20250
        case "nul":
            task["text"]["en"] = "Improving air\x00 quality"
    return d


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("format", "$.format: 'hrap-plan/1' was expected"),
        ("missing-slug", "$.plan: 'slug' is a required property"),
        ("bad-kind", "$.nodes[3].kind: 'chapter' is not one of"),
        ("extra-key", "$.nodes[3].children[0].children[0]: Additional properties are not allowed"),
        ("bad-language-tag", "$.nodes[3].children[0].children[0].title: 'English' does not match"),
        (
            "undeclared-language",
            "$.nodes[3].children[0].children[0].title.fr: language 'fr' is not in",
        ),
        (
            "duplicate-ref",
            "$.nodes[3].children[1].ref: 'III.1' is used twice (first at $.nodes[3].children[0])",
        ),
        (
            "nesting",
            "$.nodes[3].children[0].children[0].children[0].kind: a section cannot be inside a task",
        ),
        ("period", "$.plan.period: start is after end"),
        ("date", "$.plan.adopted: '2021-13-40' is not a 'date'"),
        (
            "direction",
            "$.nodes[3].children[0].children[0].targets[0].direction: 'up' is not one of",
        ),
        (
            "value-type",
            "$.nodes[3].children[0].children[0].targets[0].value: 'ten' is not of type 'number'",
        ),
        (
            "huge-value",
            "$.nodes[3].children[0].children[0].targets[0].value: 100000000000000000000 has too many digits",
        ),
        (
            "year",
            "$.nodes[3].children[0].children[0].targets[0].year: 20250 is greater than the maximum",
        ),
        (
            "nul",
            "$.nodes[3].children[0].children[0].text.en: control character U+0000 at position 13",
        ),
    ],
)
def test_each_rejection_names_the_json_path_and_the_problem(
    doc: dict[str, Any], change: str, expected: str
) -> None:
    problems = problems_of(_mutate(doc, change))
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected), problems[0]


def test_every_problem_is_reported_not_only_the_first(doc: dict[str, Any]) -> None:
    d = _mutate(_mutate(doc, "bad-kind"), "direction")
    assert len(problems_of(d)) == 2


@pytest.mark.django_db
def test_a_rejected_import_changes_nothing(sample_bytes: bytes, doc: dict[str, Any]) -> None:
    services.plan_import(raw=sample_bytes, actor=system_actor())
    before = (Plan.objects.count(), PlanNode.objects.count(), Target.objects.count())
    bad = _mutate(doc, "duplicate-ref")
    bad["plan"]["slug"] = "another-plan"
    with pytest.raises(InvalidInput) as refused:
        services.plan_import(raw=json.dumps(bad, default=float).encode(), actor=system_actor())
    assert "used twice" in str(refused.value.problems[0])
    assert (Plan.objects.count(), PlanNode.objects.count(), Target.objects.count()) == before


@pytest.mark.django_db
def test_a_failure_after_writing_began_rolls_everything_back(doc: dict[str, Any]) -> None:
    # The schema accepts the code; only the database knows it is not a subdivision of China.
    doc["plan"]["jurisdiction"] = "CN-XX"
    with pytest.raises(InvalidInput) as refused:
        services.plan_import(raw=planfile.dumps(doc).encode(), actor=system_actor())
    assert str(refused.value.problems[0]) == "$.plan.jurisdiction: unknown jurisdiction 'CN-XX'"
    assert Plan.objects.count() == 0 and PlanNode.objects.count() == 0


@pytest.mark.django_db
def test_an_existing_slug_is_refused_unless_replacing(sample_bytes: bytes) -> None:
    services.plan_import(raw=sample_bytes, actor=system_actor())
    with pytest.raises(InvalidInput, match="already exists"):
        services.plan_import(raw=sample_bytes, actor=system_actor())


# --- Property: any valid document survives the canonical round trip ---------------------------

tags = st.sampled_from(["zh-Hans", "en"])
# Any printable text, Chinese included; control characters are refused (tested above).
plain = st.characters(blacklist_categories=("Cc", "Cs"))
texts = st.dictionaries(tags, st.text(plain, min_size=1, max_size=30), max_size=2)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    counter = iter(range(10_000))

    def node(kinds: list[str], depth: int) -> dict[str, Any]:
        kind = draw(st.sampled_from(kinds))
        targets = []
        if kind in ("task", "subtask"):
            targets = draw(
                st.lists(
                    st.fixed_dictionaries(
                        {
                            "indicator": st.dictionaries(
                                tags, st.text(plain, min_size=1, max_size=20), min_size=1
                            ),
                            "value": st.one_of(
                                st.integers(-(10**12), 10**12),
                                st.decimals(-1000, 1000, places=3, allow_nan=False),
                            ),
                            "unit": st.sampled_from(["", "%", "km", "万人"]),
                            "direction": st.sampled_from(
                                ["increase", "decrease", "at_least", "at_most", "reach", "maintain"]
                            ),
                            "relative": st.booleans(),
                            "year": st.one_of(st.none(), st.integers(2021, 2050)),
                            "binding": st.one_of(st.none(), st.booleans()),
                            "span": texts,
                        }
                    ),
                    max_size=2,
                )
            )
        for target in targets:
            # The period rule: a deadline after 2025 is stated as running beyond the plan.
            if isinstance(target["year"], int) and target["year"] > 2025:
                target["beyond_period"] = True
        lower = [
            k
            for k in ("section", "task", "subtask")
            if planfile.KIND_RANK[k] > planfile.KIND_RANK[kind]
        ]
        children = []
        if lower and depth < 3:
            children = [node(lower, depth + 1) for _ in range(draw(st.integers(0, 3)))]
        return {
            "ref": f"n{next(counter)}",
            "kind": kind,
            "number": draw(texts),
            "title": draw(texts),
            "text": draw(texts),
            "targets": targets,
            "children": children,
        }

    return {
        "format": planfile.FORMAT,
        "plan": {
            "slug": "generated",
            "title": {"en": "Generated plan"},
            "jurisdiction": "CN",
            "period": {"start": 2021, "end": 2025},
            "languages": ["zh-Hans", "en"],
        },
        "nodes": [node(["introduction", "part"], 0) for _ in range(draw(st.integers(1, 4)))],
    }


@given(documents())
@settings(max_examples=60, deadline=None)
def test_any_valid_document_round_trips_canonically(document: dict[str, Any]) -> None:
    assert planfile.validate(document) == []
    text = planfile.dumps(document)
    reparsed, problems = planfile.parse(text.encode())
    assert reparsed is not None and not problems
    assert planfile.dumps(reparsed) == text


@pytest.mark.django_db
@given(documents())
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_valid_document_survives_the_database(document: dict[str, Any]) -> None:
    text = planfile.dumps(document)
    plan = services.plan_import(raw=text.encode(), actor=system_actor(), replace=True)
    assert planfile.dumps(selectors.plan_document(plan=plan)) == text


def test_synthetic_plans_are_valid_and_labelled() -> None:
    document = synthetic_plan(tasks=200)
    assert planfile.validate(document) == []
    tasks = [t for p in document["nodes"] for s in p["children"] for t in s["children"]]
    assert len(tasks) == 200
    assert all(t["title"]["en"].startswith("Synthetic") for t in tasks)
