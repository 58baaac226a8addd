"""Measurable targets in plan text, English and Chinese (French: `targets_fr`): value, unit,
direction, deadline, span.

Reads sentence by sentence. A number becomes a target only when the sentence commits to
something (will, shall, to fall, 下降, 达到 …); ordinals, years, amounts of money, and numbers
glued to letters (PM2.5, G77, RMB100) are not targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from hrap.ingest.dates import deadline_phrase
from hrap.ingest.numerals import EN_NUMBER_WORDS, HAN_NUMERAL_CHARS, number_value
from hrap.ingest.targets_fr import extract_french


@dataclass
class FoundTarget:
    indicator: str
    value: Decimal
    unit: str
    direction: str
    relative: bool
    year: int | None
    span: str
    start: int = field(default=0, compare=False)
    baseline: tuple[Decimal, int | None] | None = field(default=None, compare=False)


# --- English ---------------------------------------------------------------------------------

_WORD = "|".join(EN_NUMBER_WORDS)
_EN_NUMBER = (
    rf"(?<![\w.\-])(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?(?!\.\d)|(?:{_WORD})(?:[\s-]+(?:and\s+)?(?:{_WORD}))*)"
    r"(?:\s+(?:million|billion))?(?![\w])"
)
_EN_QUANTITY = re.compile(
    rf"(?P<number>{_EN_NUMBER})(?P<percent>\s*(?:percent|per\s+cent|%))?"
    r"(?P<per>\s+per\s+(?:\d[\d,]*|thousand|hundred thousand|million))?",
    re.IGNORECASE,
)
_EN_COMMITMENT = re.compile(
    r"\b(will|shall|should|must|aims?|targets?|goals?|expected|planned|strive|be|"
    r"anticipates|expects|intends\s+to|plans\s+to|commits\s+to|"
    r"to\s+(?:fall|drop|rise|increase|decrease|reach|be|exceed|remain|grow|decline|double))\b",
    re.IGNORECASE,
)
_EN_DECREASE = re.compile(
    r"\b(fall|falls|fell|drop|drops|decrease|decreases|decline|declines|reduce|reduced|"
    r"cut|lower|lowered)\b",
    re.IGNORECASE,
)
_EN_INCREASE = re.compile(
    r"\b(rise|rises|increase|increased|increases|grow|grows|raise|raised|expand|expanded)\b",
    re.IGNORECASE,
)
_EN_AT_LEAST = re.compile(
    r"\b(at\s+least|no\s+(?:less|fewer)\s+than|not\s+(?:less|fewer)\s+than|a\s+minimum\s+of|"
    r"above|over|more\s+than|upwards\s+of)\s*$",
    re.IGNORECASE,
)
_EN_AT_MOST = re.compile(
    r"\b(at\s+most|no\s+more\s+than|not\s+more\s+than|below|under|less\s+than|within|"
    r"not\s+exceed(?:ing)?|a\s+maximum\s+of)\s*$",
    re.IGNORECASE,
)
_EN_MAINTAIN = re.compile(r"\b(maintain(?:ed)?|remain|keep|kept|stabili[sz]ed?\s+at)\b", re.I)
_EN_NOT_TARGET_BEFORE = re.compile(
    r"(\b(article|articles|no\.|chapter|section|part|paragraph|protocol|resolution|goal|"
    r"target|sdg|rmb|usd|us\$|yuan|dollars?|page|item|no|every|each|any|figure|fig\.|table|"
    r"box|annex|appendix|"
    r"the\s+year)|[$¥€£])\s*$",
    re.IGNORECASE,
)
_EN_YEAR = re.compile(r"\b(?:by|before|until|in)\s+(?:the\s+end\s+of\s+)?((?:19|20)\d\d)\b", re.I)
_EN_VERB_STOP = re.compile(
    r"\s*(?:,|;|:|\bwill\b|\bshall\b|\bshould\b|\bmust\b|\bare\b|\bis\b|\bbe\b|\bto\b|\bboth\b|"
    r"\brespectively\b|\band\s+(?:about\s+|some\s+|over\s+)?\d|\bby\b|\bwho\b|\bwhich\b|"
    r"\bthat\b|\bhave\b|\bhas\b)",
    re.IGNORECASE,
)
# An imperative opens an action ("Train 200 judges", "Extend the programme to all fifteen
# counties"): in an action list that is the commitment.
_EN_IMPERATIVE = re.compile(
    r"^\s*(?:\d{1,2}[.)]\s*)?(?:ensure|establish|develop|support|provide|strengthen|train|extend|"
    r"increase|reduce|expand|adopt|implement|create|promote|build|deploy|conduct|review|put|set|"
    r"make|assign|encourage|improve|introduce|achieve|reach|raise|lower|cut|deliver|publish|launch|"
    r"recruit|hire|open|construct|cover|connect|equip|employ|double|halve|enrol|enroll|register|"
    r"rehabilitate|renovate|upgrade|install|distribute|allocate|complete|organi[sz]e|hold)\b",
    re.IGNORECASE,
)
_EN_PARTICIPLE = re.compile(r"^\s*set\s+(?:in|within|against|up\s+in)\b", re.IGNORECASE)
# What is counted: "15 counties", "200 more judges", "fifteen counties".
_EN_UNIT = re.compile(
    r"\s+(?:more\s+|new\s+|additional\s+)?(counties|districts|provinces|regions|states|"
    r"municipalities|cities|towns|villages|communities|schools|universities|teachers|students|"
    r"children|girls|boys|women|men|persons|people|judges|magistrates|lawyers|prosecutors|"
    r"officers|officials|staff|workers|hours|days|weeks|months|courts|offices|units|centres|"
    r"centers|clinics|hospitals|facilities|beds|households|families|homes|houses|projects|cases|"
    r"laws|sessions|workshops|campaigns|shelters|posts|jobs|hectares|kilometres|kilometers|km)\b",
    re.IGNORECASE,
)
_EN_NOT_A_COUNT_AFTER = re.compile(
    r"\s*(?:/|-\s*(?:years?|months?|weeks?|days?|hours?)\b|"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b)",
    re.IGNORECASE,
)
# A finished action: "expanded", "has published", "were": a statement of what was done.
_EN_PAST = re.compile(r"\b(?:has|have|had|was|were|did)\b|\b[a-z]{3,}ed\b(?!\s+(?:by|to|at)\b)")
_EN_PROMISE = re.compile(
    r"\b(?:will|shall|must|should|aims?|targets?|goals?|planned|expected|intended|scheduled|"
    r"projected|committed|anticipates|expects|intends|plans\s+to)\b",
    re.I,
)
# A number that names a provision or a treaty: "(2)(h)", "15 ICESCR", "12 of the Convention".
_EN_REFERENCE_AFTER = re.compile(
    r"\)|\s+[A-Z]{3,}\b|['’]s\b|(?i:\s+of\s+the\s+(?:convention|covenant|charter|constitution))"
)
_EN_MONEY_AFTER = re.compile(
    r"\s*(?:million\s+|billion\s+)?(?:dollars|euros|francs|pounds|yuan|rupees|usd|eur|lrd|gbp|"
    r"cfa|fc)\b",
    re.IGNORECASE,
)


def _footnote(before: str, after: str, number: str) -> bool:
    """A note's marker: a small number right after the end of a sentence or a quotation
    ("… state policy.” 2 The Committee …", "rights.2"), or alone at a sentence's start."""
    if len(number) > 2 or not number.isdigit():
        return False
    closing = re.search(r"[.”\"’)\]]\s*$", before) or not before.strip()
    return bool(closing) and (not after.strip() or bool(re.match(r"\s+[A-Z“\"]", after)))


_SENTENCE = re.compile(r"[^.;!?。；！？]+(?:[.;!?。；！？]|$)")


def _no_stop(match: re.Match[str]) -> str:
    return match.group().replace(".", "\u2024")


def _sentences(text: str) -> list[tuple[int, str]]:
    # A full stop between digits (2.5, PM2.5) does not end a sentence.
    protected = re.sub(r"(?<=\d)\.(?=\d)", "\u2024", text)
    # Nor does the stop of an initialism ("the first U.S. Open Government …", "e.g. 20 %").
    protected = re.sub(
        r"\b(?:(?:[A-Z]\.){2,}|(?:e\.g|i\.e|etc|No|Nos|Art)\.)(?=\s)", _no_stop, protected
    )
    return [(m.start(), text[m.start() : m.end()]) for m in _SENTENCE.finditer(protected)]


def _noun_phrase_after(text: str) -> str:
    stop = _EN_VERB_STOP.search(text)
    phrase = text[: stop.start()] if stop else text
    return phrase.strip(" ,.;:()")


def _subject_before(sentence: str, end: int) -> tuple[int, str]:
    """The subject of a clause ending at `end`: after the last ':' / ';' / ' include' before it."""
    head = sentence[:end]
    clause_breaks = re.finditer(r",\s+(?:and|while|with)\s+", head)
    cut = max([head.rfind(":") + 1, head.rfind(";") + 1, *(m.end() for m in clause_breaks)])
    lead_in = re.match(
        r"\s*(?:by|before|until|in)\s+(?:the\s+end\s+of\s+)?(?:19|20)\d\d,?\s*", head[cut:], re.I
    )
    if lead_in:
        cut += lead_in.end()
    verb = re.search(
        r"\s+(?:\bboth\s+)?(?:\bto\b|\bwill\b|\bshall\b|\bshould\b|\bmust\b|\bis\b|\bare\b)\b"
        r"[^,;]*$",
        head[cut:],
        re.IGNORECASE,
    )
    stop = cut + (verb.start() if verb else len(head) - cut)
    subject = sentence[cut:stop]
    lead = len(subject) - len(subject.lstrip())
    return cut + lead, subject.strip()


def _without_article(phrase: str) -> str:
    return re.sub(r"^(the|a|an|some|about|around|approximately)\s+", "", phrase, flags=re.I)


def _split_both(subject: str) -> list[str]:
    """'total emissions of A and B' → ['total emissions of A', 'total emissions of B']."""
    head, sep, tail = subject.rpartition(" of ")
    if sep and " and " in tail:
        return [
            f"{head} of {part.strip()}" for part in re.split(r"\s*,\s*|\s+and\s+", tail) if part
        ]
    return [part.strip() for part in re.split(r"\s+and\s+", subject) if part.strip()]


def extract_english(text: str, *, action: bool = False) -> list[FoundTarget]:
    found: list[FoundTarget] = []
    for offset, sentence in _sentences(text):
        # "Set in an 18-year time horizon, the Roadmap has …": a participle, not an order
        imperative = bool(_EN_IMPERATIVE.match(sentence)) and not _EN_PARTICIPLE.match(sentence)
        if not (imperative or action or _EN_COMMITMENT.search(sentence)):
            continue
        year_match = _EN_YEAR.search(sentence)
        stated = deadline_phrase(sentence)
        year = int(year_match.group(1)) if year_match else stated.year if stated else None
        baseline: tuple[Decimal, int | None] | None = None
        for match in _EN_QUANTITY.finditer(sentence):
            number = match.group("number")
            value = number_value(re.sub(r"\s+", " ", number))
            if value is None:
                continue
            before = sentence[: match.start()]
            after = sentence[match.end() :]
            if re.search(
                r"\b(?:from|up\s+from|down\s+from|compared\s+(?:with|to)|baseline\s*(?:of|:)?|currently)\s*$",
                before,
                re.I,
            ):
                # "from 20% in 2015 to 30%": the starting point, not the target
                base_year = re.match(r"[^,;]*?\b(?:in|as\s+of)\s+((?:19|20)\d\d)\b", after)
                baseline = (value, int(base_year.group(1)) if base_year else None)
                continue
            if _footnote(before, after, match.group()) or _EN_MONEY_AFTER.match(after):
                continue
            if _EN_REFERENCE_AFTER.match(after) or re.search(
                r"(?:\(|\b(?:provision|age|term|period)\s+of|\bthe)\s*$", before, re.I
            ):
                continue  # "Article 14(2)", "15 ICESCR", "the age of 18", "the three most …"
            word_one = value == 1 and not number[:1].isdigit()
            if word_one and not _EN_UNIT.match(after) and not match.group("percent"):
                continue  # "one agency", "one's privacy": a word, not a count
            is_percent = bool(match.group("percent"))
            looks_like_year = not is_percent and value == int(value) and 1900 <= value <= 2100
            if looks_like_year or _EN_NOT_TARGET_BEFORE.search(before):
                continue
            if re.match(r"\s*(?:st|nd|rd|th)\b|\s*[-–]\s*\d|\s*(?:years?|times|th)\b", after, re.I):
                continue
            if _EN_NOT_A_COUNT_AFTER.match(after) or before.endswith("/"):
                continue  # "1 January 2013", "a ten-year period", "Directive 2013/37/EU"
            if re.match(r"\s+(?:hours|days|weeks|months)\b", after, re.I) and re.search(
                r"(?:\bnext|\bwithin|\bfor|\bover|\d\s+to)\s*$", before, re.I
            ):
                continue  # "over the next 12 to 24 months": a span of time, a deadline
            clause = re.split(r"[;:]", before)[-1]
            if (
                not (imperative or action)
                and _EN_PAST.search(clause)
                and not _EN_PROMISE.search(clause)
            ):
                continue  # "expanded the program to 73 more schools": done, not promised
            if not is_percent and re.match(r"\s*(?:of|to|and|or)\b", after):
                continue  # "one of", "two to three", a number that qualifies nothing
            unit = "%" if is_percent else ""
            if match.group("per"):
                unit = match.group("per").strip()
            counted = _EN_UNIT.match(after)
            if not unit and counted:
                unit = counted.group(1).lower()
            window = before[-60:]
            direction, relative = "reach", False
            last_verb = max(
                [
                    *((m.end(), "decrease") for m in _EN_DECREASE.finditer(window)),
                    *((m.end(), "increase") for m in _EN_INCREASE.finditer(window)),
                ],
                default=None,
            )
            more_after = re.match(r"\s+(?:more|additional|new)\b", after, re.I)
            if last_verb is not None and len(window) - last_verb[0] < 30:
                direction = last_verb[1]
                relative = not re.search(r"\bto\s+(?:about\s+)?$", window, re.I)
            elif _EN_AT_LEAST.search(window) or re.match(
                r"\s*(?:and|or)\s+(?:above|more)\b", after
            ):
                direction = "at_least"
            elif _EN_AT_MOST.search(window) or re.match(r"\s*(?:and|or)\s+(?:below|less)\b", after):
                direction = "at_most"
            elif (
                re.search(r"\b(an\s+additional|another|a\s+further)\s*$", window, re.I)
                or more_after
            ):
                direction, relative = "increase", True
            elif _EN_MAINTAIN.search(window[-30:]):
                direction = "maintain"
            elif (
                re.search(r"\band\s*$", window)
                and found
                and found[-1].start >= offset
                and (found[-1].direction, found[-1].relative) == ("increase", True)
            ):
                direction, relative = "increase", True  # "an additional 89,000 … and 140,000 …"
            start, end = match.start(), match.end()
            qualifier = re.search(
                r"(?:\b(?:by|to)\s+)?(?:(?:more|less|fewer)\s+than|at\s+least|at\s+most|about|"
                r"some|over|above|below|around|approximately|a\s+minimum\s+of|an\s+additional)?\s*$",
                before,
                re.I,
            )
            if qualifier:
                start = qualifier.start() + (
                    len(qualifier.group()) - len(qualifier.group().lstrip())
                )
            indicators: list[str]
            tail = re.match(r"\s*(?:and|or)\s+(?:above|more|below|less)\b", after, re.I)
            skip = len(more_after.group()) if more_after else len(tail.group()) if tail else 0
            rest = after[skip:]
            if is_percent and re.match(r"\s+of\s+", rest):
                phrase = _noun_phrase_after(re.sub(r"^\s+of\s+", "", rest))
                indicators = [phrase]
                end = match.end() + skip + rest.find(phrase) + len(phrase) if phrase else end
            elif not is_percent and not match.group("per"):
                phrase = _noun_phrase_after(rest)
                # a bare count commits only as the subject of a promise ("30 million people
                # shall be lifted …"), not wherever the sentence has "will" or "be"
                # in an action table a count with a unit is the action's ("functioning in
                # all 155 districts"); a bare one is in passing ("three language groups")
                committed = (
                    imperative
                    or (action and counted)
                    or re.match(
                        r"^\W*(?:[\w’'-]+\W+){0,6}?(?:will|shall|should|must)\b", after, re.I
                    )
                )
                opens = not re.sub(r"(?i)\b(?:about|some|around)\b", "", before).strip()
                if not committed and opens and not re.match(r"\s+[a-z]+ed\b", after):
                    # the count opens the sentence: its subject ("Twenty national bases …
                    # will be renovated")
                    committed = re.search(r"\b(?:will|shall|should|must)\b", after, re.I)
                if not phrase and found and found[-1].start >= offset:
                    phrase = found[
                        -1
                    ].indicator  # "30 million …, 10 million by …": the same measure
                elif direction == "reach" and not committed:
                    continue  # a count in passing ("the other four countries"), not a commitment
                indicators = [phrase]
                end = (
                    match.end() + skip + (rest.find(phrase) + len(phrase) if phrase in rest else 0)
                )
            else:
                subject_start, subject = _subject_before(sentence, match.start())
                if re.match(r"^\s*both\b", sentence[subject_start + len(subject) :]) or re.search(
                    r"\brespectively\b", after[:40]
                ):
                    indicators = _split_both(_without_article(subject))
                else:
                    indicators = [subject]
                start = min(start, subject_start) if subject else start
            span = sentence[start:end].strip(" ,;:")
            for indicator in indicators:
                indicator = _without_article(indicator.strip(" ,;:"))
                if not indicator:
                    continue
                found.append(
                    FoundTarget(
                        indicator=indicator,
                        value=value,
                        unit=unit,
                        direction=direction,
                        relative=relative,
                        year=year,
                        span=span.replace("\u2024", "."),
                        start=offset + start,
                        baseline=baseline,
                    )
                )
        found.extend(_multiples(sentence, offset, year))
    return found


_EN_MULTIPLE = re.compile(r"\b(double|doubled|triple|tripled|halve|halved)\b", re.IGNORECASE)
_MULTIPLE = {"double": (100, "increase"), "triple": (200, "increase"), "halve": (50, "decrease")}


def _multiples(sentence: str, offset: int, year: int | None) -> list[FoundTarget]:
    """ "… shall both double that of 2010": +100 %, one target per measure named."""
    found = []
    for match in _EN_MULTIPLE.finditer(sentence):
        word = match.group(1).lower().rstrip("d")
        value, direction = _MULTIPLE[word if word in _MULTIPLE else word + "e"]
        start, subject = _subject_before(sentence, match.start())
        if re.search(r"\bboth\s*$", sentence[: match.start()]):
            indicators = _split_both(_without_article(subject))
        else:
            indicators = [_without_article(subject)]
        span = sentence[start : match.end()].strip()
        for indicator in indicators:
            if indicator:
                found.append(
                    FoundTarget(
                        indicator,
                        Decimal(value),
                        "%",
                        direction,
                        True,
                        year,
                        span,
                        start=offset + start,
                    )
                )
    return found


# --- Chinese ---------------------------------------------------------------------------------

_ZH_NUMBER = rf"(?:\d+(?:\.\d+)?|[{HAN_NUMERAL_CHARS}]+)(?:万|亿)?"
_ZH_QUANTITY = re.compile(
    rf"(?P<pct_word>百分之(?P<pct_value>{_ZH_NUMBER}))"
    rf"|(?P<per_word>(?P<per_base>千|万|十万)分之(?P<per_value>{_ZH_NUMBER}))"
    r"|(?P<fraction>(?P<numerator>\d{1,3})/(?P<denominator>[2-9]|10|千|万|十万)(?![\d/]))"
    rf"|(?P<number>{_ZH_NUMBER})(?P<percent>[%％])?"
)
_ZH_PER = {"千": "per 1,000", "万": "per 10,000", "十万": "per 100,000"}
_ZH_DECREASE = ("下降", "降低", "减少", "缩减", "压减", "降至", "降到", "减至")
_ZH_INCREASE = ("提高", "增加", "增长", "提升", "新增", "扩大", "上升", "增至")
_ZH_REACH = ("达到", "达", "建成", "建设")
_ZH_AT_LEAST = ("不低于", "不少于", "至少", "超过", "高于")
_ZH_AT_MOST = ("不高于", "不超过", "控制在", "低于", "少于")
_ZH_MAINTAIN = ("保持", "稳定在", "维持")
_ZH_YEAR = re.compile(r"(?:到|至|截至|在)?((?:19|20)\d\d)年(?:前|底|末)?")
_ZH_CLAUSE_START = re.compile(r"[，,；;。：:、]")


def extract_chinese(text: str) -> list[FoundTarget]:
    found: list[FoundTarget] = []
    for offset, sentence in _sentences(text):
        year_match = _ZH_YEAR.search(sentence)
        # "到2025年", "2025年前": a deadline; a bare "2020年" may be a baseline.
        deadline = year_match and re.search(r"^(到|至|截至)|年(前|底|末)$", year_match.group())
        year = int(year_match.group(1)) if year_match and deadline else None
        for match in _ZH_QUANTITY.finditer(sentence):
            per_unit = ""
            if match.group("pct_word"):
                raw, is_percent = match.group("pct_value"), True
            elif match.group("per_word"):
                raw, is_percent = match.group("per_value"), False
                per_unit = _ZH_PER[match.group("per_base")]
            elif match.group("fraction"):
                # "降至72/万" is a rate per 10,000; "下降1/5" a fifth, 20 %
                denominator = match.group("denominator")
                if denominator in _ZH_PER:
                    raw, is_percent = match.group("numerator"), False
                    per_unit = _ZH_PER[denominator]
                else:
                    share = Decimal(match.group("numerator")) * 100 / Decimal(denominator)
                    raw, is_percent = str(share.quantize(Decimal("0.01")).normalize()), True
            else:
                raw, is_percent = match.group("number"), bool(match.group("percent"))
            value = number_value(raw)
            if value is None:
                continue
            before, after = sentence[: match.start()], sentence[match.end() :]
            if re.match(
                r"\s*(年|月|日|号|届|次会议|期|周岁|岁|个月|[-—–]\d)", after
            ) or before.endswith("第"):
                continue
            if re.search(r"[A-Za-z]$", before) or re.match(r"[A-Za-z.]", after):
                continue  # PM2.5, G20
            verb_window = before[-6:]
            direction = None
            relative = False
            # The direction word nearest the number wins, the longest on a tie (不高于 over 高于).
            candidates = [
                (verb_window.rfind(word) + len(word), len(word), name)
                for words, name in (
                    (_ZH_AT_LEAST, "at_least"),
                    (_ZH_AT_MOST, "at_most"),
                    (_ZH_MAINTAIN, "maintain"),
                    (_ZH_DECREASE, "decrease"),
                    (_ZH_INCREASE, "increase"),
                    (_ZH_REACH, "reach"),
                )
                for word in words
                if word in verb_window
            ]
            if candidates:
                direction = max(candidates)[2]
                if direction in ("decrease", "increase"):
                    relative = not re.search(r"(到|至)$", verb_window)
            if after.startswith("以上") or after.startswith("及以上"):
                direction, relative = (
                    ("at_least" if direction in (None, "reach") else direction),
                    relative,
                )
            elif after.startswith(("以下", "以内")):
                direction = "at_most" if direction in (None, "reach") else direction
            if direction is None:
                continue
            clause_start = max((m.end() for m in _ZH_CLAUSE_START.finditer(before)), default=0)
            verb_at = min(
                (
                    before.rfind(w, clause_start)
                    for w in (
                        *_ZH_DECREASE,
                        *_ZH_INCREASE,
                        *_ZH_REACH,
                        *_ZH_AT_LEAST,
                        *_ZH_AT_MOST,
                        *_ZH_MAINTAIN,
                    )
                    if before.rfind(w, clause_start) >= 0
                ),
                default=match.start(),
            )
            subject = before[clause_start:verb_at].strip()
            subject = re.sub(r"(分别|均|都|要|将|力争|确保|使)$", "", subject)
            end = match.end()
            suffix = re.match(r"(以上|及以上|以下|以内|个|所|家|项|人|万人|名)", after)
            if suffix:
                end += len(suffix.group())
            unit = "%" if is_percent else per_unit
            if not subject and not unit:
                noun = re.match(
                    r"[个所家项名座]?([^，,；;。、]{1,20})",
                    after[len(suffix.group()) if suffix else 0 :],
                )
                subject = noun.group(1) if noun else ""
                end = (
                    match.end()
                    + (len(suffix.group()) if suffix else 0)
                    + (noun.end() if noun else 0)
                )
            indicators = [subject]
            if "分别" in sentence[clause_start : match.start()] and re.search(
                "[和与及、]", subject
            ):
                indicators = [p for p in re.split("[和与及、]", subject) if p]
            span = sentence[clause_start:end].strip()
            for indicator in indicators:
                if indicator:
                    found.append(
                        FoundTarget(
                            indicator,
                            value,
                            unit,
                            direction,
                            relative,
                            year,
                            span,
                            start=offset + clause_start,
                        )
                    )
    return found


_HAN = re.compile(r"[\u4e00-\u9fff]")


def extract(text: str, language: str | None = None, *, action: bool = False) -> list[FoundTarget]:
    """Targets in `text`; the language is guessed from the script when not given. `action`:
    the text is an action of an action table, a commitment however it is phrased ("Early
    warning system functioning in all 155 districts")."""
    if language is None:
        language = "zh-Hans" if len(_HAN.findall(text)) > len(text) / 10 else "en"
    if language.startswith("zh"):
        return extract_chinese(text)
    if language.startswith("fr"):
        return extract_french(text, action=action)
    return extract_english(text, action=action)


_TABLE_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|％|percent|per\s*cent)?"
)


def _first_quantity(text: str) -> tuple[Decimal, str, int | None] | None:
    """The first number in a table cell that is not a year, with its unit and a year."""
    year_match = re.search(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)
    year = int(year_match.group(1)) if year_match else None
    for match in _TABLE_NUMBER.finditer(text):
        value = number_value(match.group(1))
        if value is None or (not match.group(2) and value == int(value) and 1900 <= value <= 2100):
            continue
        return value, "%" if match.group(2) else "", year
    return None


def table_targets(action: object, language: str) -> list[FoundTarget]:
    """The target of an action table's row: its target cell, with the baseline cell's value."""
    target_cell = getattr(action, "target", "")
    baseline_cell = getattr(action, "baseline", "")
    inline = re.search(r"\(?\s*(?:baseline|基线|référence)\s*[:：]?", target_cell, re.IGNORECASE)
    if inline and not baseline_cell:
        # "200 (baseline: 40 in 2019)"
        target_cell, baseline_cell = target_cell[: inline.start()], target_cell[inline.end() :]
    found = _first_quantity(target_cell) if target_cell else None
    if found is None:
        return []
    value, unit, year = found
    base = _first_quantity(baseline_cell)
    indicator = getattr(action, "indicator", "").replace("\n", " ").strip() or target_cell
    return [
        FoundTarget(
            indicator=indicator[:200],
            value=value,
            unit=unit,
            direction="reach",
            relative=False,
            year=year,
            span=target_cell.replace("\n", " ").strip(),
            baseline=(base[0], base[2]) if base else None,
        )
    ]
