"""The target extractor: what counts as a measurable commitment, in English and Chinese."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hrap.ingest.numerals import han_value, number_value, roman_value
from hrap.ingest.targets import extract


def brief(text: str, language: str = "en") -> list[tuple[float, str, str, bool, int | None]]:
    return [
        (float(t.value), t.unit, t.direction, t.relative, t.year) for t in extract(text, language)
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Three", 3),
        ("二十", 20),
        ("5000万", 50_000_000),
        ("百", 100),
        ("一百零五", 105),
        ("89,000", 89_000),
        ("1.5 million", 1_500_000),
        ("twenty-five", 25),
        ("1.5亿", 150_000_000),
    ],
)
def test_numbers_as_plans_write_them(text: str, value: int) -> None:
    assert number_value(text) == Decimal(value)


def test_roman_and_chinese_numerals() -> None:
    assert (roman_value("XIV"), roman_value("IIII"), han_value("十二"), han_value("abc")) == (
        14,
        None,
        12,
        None,
    )


def test_a_relative_change_and_two_indicators_sharing_one_figure() -> None:
    text = (
        "Specific targets include: the average PM2.5 intensity in cities at or above the "
        "prefectural level to fall by 10 percent; the total emissions of nitrogen oxides and "
        "volatile organic compounds both to drop by more than 10 percent."
    )
    found = extract(text, "en")
    assert [t.indicator for t in found] == [
        "average PM2.5 intensity in cities at or above the prefectural level",
        "total emissions of nitrogen oxides",
        "total emissions of volatile organic compounds",
    ]
    assert {(t.value, t.unit, t.direction, t.relative) for t in found} == {
        (10, "%", "decrease", True)
    }
    assert found[0].span in text and found[0].span.endswith("to fall by 10 percent")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By 2025 the share shall reach 95 percent.", [(95, "%", "reach", False, 2025)]),
        (
            "Coverage will be kept at no less than 90 per cent.",
            [(90, "%", "at_least", False, None)],
        ),
        (
            "The rate shall drop to 18 per 100,000 by 2020.",
            [(18, "per 100,000", "decrease", False, 2020)],
        ),
        ("Unemployment will be kept below 5.5%.", [(5.5, "%", "at_most", False, None)]),
        ("Three more bases will be added to the list.", [(3, "", "increase", True, None)]),
        (
            "A total of 20 million units of housing shall be rebuilt.",
            [(20_000_000, "units", "reach", False, None)],
        ),
    ],
)
def test_english_directions_levels_and_deadlines(text: str, expected: list) -> None:
    assert brief(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "China will complete its seventh report on implementing the Convention.",
        "China shall complete the 18th-20th combined report and the 14th report.",
        "The Action Plan (2016-2020) will be implemented in full.",
        "China will revise the Law on Prevention of Pollution from Ships (2020 revision).",
        "All 55 ethnic minority groups have deputies to the NPC.",
        "The death rate per RMB100 million of GDP is reported each year.",
        "The ability to combat Covid-19 spread will be reinforced.",
        "China will work with the other four BRICS countries and the G77.",
    ],
)
def test_ordinals_years_law_names_and_facts_are_not_targets(text: str) -> None:
    assert extract(text, "en") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "到2025年，地级及以上城市细颗粒物（PM2.5）浓度下降10%。",
            [(10, "%", "decrease", True, 2025)],
        ),
        ("基本养老保险参保率提高到95%。", [(95, "%", "increase", False, None)]),
        ("贫困人口减少百分之二十。", [(20, "%", "decrease", True, None)]),
        ("新增5000万个城镇就业岗位。", [(50_000_000, "", "increase", True, None)]),
        ("城镇调查失业率控制在5.5%以内。", [(5.5, "%", "at_most", False, None)]),
        ("森林覆盖率达到24.1%。", [(24.1, "%", "reach", False, None)]),
        ("建设二十个国家重大传染病防治基地。", [(20, "", "reach", False, None)]),
        ("孕产妇死亡率不高于万分之二。", [(2, "per 10,000", "at_most", False, None)]),
    ],
)
def test_chinese_targets(text: str, expected: list) -> None:
    assert brief(text, "zh-Hans") == expected


def test_chinese_figures_shared_by_two_indicators_are_two_targets() -> None:
    found = extract("氮氧化物和挥发性有机物排放总量分别下降10%以上。", "zh-Hans")
    assert len(found) == 2 and found[0].indicator == "氮氧化物"
    assert all(t.direction == "decrease" and t.relative for t in found)


@pytest.mark.parametrize(
    "text",
    [
        "严格执行庭前会议、非法证据排除、法庭调查三项规程。",
        "所有55个少数民族都有全国人大代表。",
        "完成第九次履约报告。",
        "召开第十四届全国人民代表大会。",
        "实施《国家人权行动计划（2021—2025年）》。",
    ],
)
def test_chinese_counts_in_passing_are_not_targets(text: str) -> None:
    assert extract(text, "zh-Hans") == []


@pytest.mark.parametrize(
    "text",
    [
        "The Department expanded the Second Chance Pell program to 73 more schools.",
        "The UK government will establish by 1 January 2014 a register.",
        "It will implement Directive 2013/37/EU on the re-use of information.",
        "Over the next 12 to 24 months the UK government will publish the data.",
        "Setting out five principles for the release of data, the charter is a pivotal moment.",
        "By April 2013, there were less than 129,000 outstanding effects still to be applied.",
    ],
)
def test_narrative_numbers_are_not_targets(text: str) -> None:
    """Prose around a plan's commitments: dates, directives, durations, finished actions and
    counts in passing are not targets (prefer missing a target to inventing one)."""
    assert brief(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "It is planned for a minimum of 50 million new jobs to be created in urban areas.",
            (50_000_000.0, "jobs", "at_least"),
        ),
        (
            "Twenty national bases for the prevention of diseases will be renovated.",
            (20.0, "", "reach"),
        ),
        (
            "The UK government will run at least five projects across policy areas.",
            (5.0, "projects", "at_least"),
        ),
    ],
)
def test_promised_counts_are_targets(text: str, expected: tuple[float, str, str]) -> None:
    assert [t[:3] for t in brief(text)] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全省婴儿死亡率以2000年为基础下降1/5。", [(20.0, "%", "decrease")]),
        ("出生缺陷发生率到2010年要降至70/万。", [(70.0, "per 10,000", "decrease")]),
        ("5岁以下儿童营养不良患病率下降1/4。", [(25.0, "%", "decrease")]),
    ],
)
def test_chinese_fractions_are_shares_and_ages_are_not_targets(text: str, expected: list) -> None:
    assert [(float(t.value), t.unit, t.direction) for t in extract(text, "zh-Hans")] == expected


def test_an_action_tables_output_commits_its_counts_with_units() -> None:
    output = "Early warning system developed and functioning in all 155 districts of Liberia"
    assert extract(output, "en") == []  # a statement
    assert [(t.value, t.unit) for t in extract(output, "en", action=True)] == [(155, "districts")]
    assert (
        extract("Ethnographic studies of the three language groups undertaken", action=True) == []
    )


@pytest.mark.parametrize(
    "text",
    [
        "Set in an 18-year time horizon, the Roadmap has twelve components, as in Figure 1.",
        "The first U.S. Open Government National Action Plan was a set of 26 commitments.",
    ],
)
def test_participles_captions_and_initialisms_do_not_make_targets(text: str) -> None:
    assert extract(text, "en") == []
