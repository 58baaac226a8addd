"""Measurable targets in French plan text: "accroître de 20 % le taux de …", "porter à 30 %".

The French conventions the English reader does not know: a decimal comma ("19,46 %"), a
space before "%" and inside thousands ("1 000"), "pour cent", and objectives and activities
written as infinitives ("Contribuer à accroître de 20 % …", "Former 200 magistrats") rather
than with "will". As in English, a number becomes a target only in a sentence that commits
to something; statistics ("on ne compte à ce jour que 2,8 %"), years, article and resolution
numbers, footnote markers glued to a word and amounts of money are not targets.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hrap.ingest.targets import FoundTarget

# An objective or an activity opens with an infinitive: the commitment itself.
_INFINITIVE = re.compile(
    r"^\s*(?:\W{0,3}\s*)?(?:[^\W\d_]+\s+\d+\s*[:.]\s*)?(?:contribuer|accro[iî]tre|augmenter|r[ée]duire|diminuer|baisser|"
    r"renforcer|assurer|garantir|porter|atteindre|am[ée]liorer|promouvoir|former|cr[ée]er|"
    r"mettre|[ée]laborer|organiser|sensibiliser|doter|recruter|construire|r[ée]habiliter|"
    r"[ée]tendre|d[ée]velopper|appuyer|soutenir|faciliter|int[ée]grer|adopter|instituer|"
    r"installer|[ée]quiper|octroyer|fournir|vulgariser|multiplier|doubler|tripler)\b",
    re.IGNORECASE,
)
_COMMITMENT = re.compile(
    r"\b(?:sera|seront|devra|devront|doit|doivent|vise(?:nt)?\s+[àa]|visant\s+[àa]|"
    r"d['’]ici|cible|objectif\s+(?:est|de)|s['’]engage)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"(?<![\w,.])(?P<number>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:,\d+)?)(?![\w])"
    r"(?P<percent>\s*(?:%|pour\s*cent|pourcent))?"
)
_INCREASE = re.compile(
    r"\b(?:accro[iî]tre|accroissement|augmenter|augmentation|hausser|relever|[ée]lever|"
    r"multiplier)\b",
    re.I,
)
_DECREASE = re.compile(
    r"\b(?:r[ée]duire|r[ée]duction|diminuer|diminution|baisser|abaisser)\b", re.I
)
_AT_LEAST = re.compile(
    r"\b(?:au\s+moins|au\s+minimum|minimum\s+de|plus\s+de|sup[ée]rieur\s+[àa])\s*$", re.I
)
_AT_MOST = re.compile(
    r"\b(?:au\s+plus|au\s+maximum|maximum\s+de|moins\s+de|inf[ée]rieur\s+[àa]|"
    r"ne\s+pas\s+d[ée]passer)\s*$",
    re.I,
)
# "article 5", "résolution 1325", "Axe 2", "PAN 1", "n° 3", "page 12"
_NOT_BEFORE = re.compile(
    r"\b(?:articles?|r[ée]solutions?|chapitres?|sections?|axes?|objectifs?|r[ée]sultats?|"
    r"activit[ée]s?|pages?|annexes?|tableaux?|figures?|lois?|d[ée]crets?|ordonnances?|pan|"
    r"points?|paragraphes?|alin[ée]as?|n°|no|num[ée]ro|ann[ée]es?|en|depuis|de\s+l['’]an)\s*$",
    re.IGNORECASE,
)
_MONEY_AFTER = re.compile(
    r"\s*(?:millions?\s+|milliards?\s+)?(?:de\s+)?(?:dollars|euros|francs|usd|cdf|fc|\$)\b", re.I
)
_TIME_AFTER = re.compile(r"\s*(?:ans?|mois|jours?|semaines?|heures?|e|er|[èe]me)\b", re.I)
_UNIT = re.compile(
    r"\s+(?:nouve(?:aux|lles)\s+|autres\s+)?(femmes|hommes|filles|gar[çc]ons|jeunes|enfants|"
    r"personnes|provinces|territoires|communes|districts|villages|[ée]coles|centres|agents|"
    r"policiers|militaires|magistrats|juges|avocats|parlementaires|s[ée]ances|ateliers|"
    r"sessions|campagnes|cliniques|h[ôo]pitaux|maisons|projets|associations|organisations)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.;!?]+(?:[.;!?]|$)")


def _value(number: str) -> Decimal | None:
    try:
        return Decimal(re.sub(r"[ \u00a0\u202f]", "", number).replace(",", "."))
    except InvalidOperation:
        return None


def extract_french(text: str, *, action: bool = False) -> list[FoundTarget]:
    from hrap.ingest.targets import FoundTarget  # the shared record; targets imports this module

    found: list[FoundTarget] = []
    # a decimal comma is no sentence break; a full stop between digits ("1.000") neither
    for sentence_match in _SENTENCE.finditer(re.sub(r"(?<=\d)\.(?=\d)", "\u2024", text)):
        sentence = sentence_match.group()
        offset = sentence_match.start()
        if not (action or _INFINITIVE.match(sentence) or _COMMITMENT.search(sentence)):
            continue
        year_match = re.search(r"\b(?:d['’]ici|en|avant|fin)\s+((?:19|20)\d\d)\b", sentence, re.I)
        year = int(year_match.group(1)) if year_match else None
        for match in _NUMBER.finditer(sentence):
            value = _value(match.group("number"))
            if value is None:
                continue
            before, after = sentence[: match.start()], sentence[match.end() :]
            is_percent = bool(match.group("percent"))
            if not is_percent and value == int(value) and 1900 <= value <= 2100:
                continue  # a year
            if _NOT_BEFORE.search(before) or _MONEY_AFTER.match(after) or _TIME_AFTER.match(after):
                continue
            if re.search(r"\b(?:de|depuis)\s*$", before, re.I) and re.match(r"\s*[àa]\s+\d", after):
                continue  # "de 20 à 30 %": the starting point
            counted = _UNIT.match(after)
            if not is_percent and not counted:
                continue  # a bare count in French text: prefer missing a target to inventing one
            unit = "%" if is_percent else counted.group(1).lower() if counted else ""
            window = before[-50:]
            direction, relative = "reach", False
            verb = max(
                [
                    *((m.end(), "increase") for m in _INCREASE.finditer(window)),
                    *((m.end(), "decrease") for m in _DECREASE.finditer(window)),
                ],
                default=None,
            )
            if verb is not None and len(window) - verb[0] < 25:
                direction = verb[1]
                relative = not re.search(r"\b[àa]\s*$", window)  # "réduire à 5 %" is a level
            elif _AT_LEAST.search(window):
                direction = "at_least"
            elif _AT_MOST.search(window):
                direction = "at_most"
            rest = re.sub(r"^\s*(?:le|la|les|l['’]|du|des|de)\s*", "", after).strip(" ,;:")
            indicator = re.split(r"[,;:]", rest)[0][:120].strip() or sentence.strip()[:120]
            span = sentence[max(0, match.start() - 40) : match.end() + 40].strip()
            found.append(
                FoundTarget(
                    indicator=indicator.replace("\u2024", "."),
                    value=value,
                    unit=unit,
                    direction=direction,
                    relative=relative,
                    year=year,
                    span=span.replace("\u2024", "."),
                    start=offset + match.start(),
                )
            )
    return found
