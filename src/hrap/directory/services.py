"""Writes to the directory: jurisdictions from ISO 3166, agencies created and edited, names kept."""

from __future__ import annotations

import gettext
import re

import pycountry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import EditConflict, InvalidInput, Problem
from hrap.core.localized import LocalizedText, clean, content_languages
from hrap.core.text import unsafe_character
from hrap.core.unique import create_once
from hrap.directory.models import Agency, Jurisdiction

# Content language tag → the gettext locale of the iso-codes catalogs that pycountry ships.
_ISO_LOCALES = {"zh-Hans": "zh_CN", "zh-Hant": "zh_TW"}
Actor = AbstractBaseUser | AnonymousUser | None
AGENCY_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,64}$")  # what Agency.code (a slug) holds
RESERVED_CODES = {"new"}  # agencies/new/ is the page that adds one


def _iso_names(english: str, domain: str) -> LocalizedText:
    names: LocalizedText = {"en": english}
    for tag in content_languages():
        if tag == "en":
            continue
        catalog = gettext.translation(
            domain,
            pycountry.LOCALES_DIR,
            languages=[_ISO_LOCALES.get(tag, tag.replace("-", "_"))],
            fallback=True,
        )
        translated = catalog.gettext(english)
        # iso-codes leaves untranslated names in English; do not pretend they are translations.
        if translated != english:
            names[tag] = translated
    return names


@transaction.atomic
def jurisdiction_load_country(*, code: str, actor: Actor) -> Jurisdiction:
    """The country and its first-level subdivisions from ISO 3166, created if missing."""
    policy.require(actor, "jurisdiction.load")
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        raise InvalidInput(
            [
                Problem(
                    "jurisdiction",
                    _("%(code)r is not an ISO 3166-1 country code") % {"code": code},
                )
            ]
        )
    root, created = Jurisdiction.objects.get_or_create(
        code=country.alpha_2,
        defaults={
            "name": _iso_names(country.name, "iso3166-1"),
            "level": Jurisdiction.Level.COUNTRY,
            "kind": "Country",
        },
    )
    if not created:
        return root
    subdivisions = [
        s
        for s in pycountry.subdivisions.get(country_code=country.alpha_2) or []
        if s.parent_code is None
    ]
    Jurisdiction.objects.bulk_create(
        Jurisdiction(
            code=s.code,
            name=_iso_names(s.name, "iso3166-2"),
            kind=s.type,
            level=Jurisdiction.Level.PROVINCE,
            parent=root,
        )
        for s in sorted(subdivisions, key=lambda s: s.code)
    )
    audit.record(
        actor=actor,
        action="jurisdiction.load",
        target=root,
        after={"code": root.code, "subdivisions": len(subdivisions)},
    )
    return root


def _text_problems(**fields: LocalizedText | str | None) -> list[Problem]:
    """Names and codes that hold characters no stored text may hold (NUL, lone surrogates)."""
    problems = []
    for name, value in fields.items():
        texts = value.values() if isinstance(value, dict) else [value or ""]
        for text in texts:
            unsafe = unsafe_character(text)
            if unsafe:
                problems.append(Problem(name, unsafe))
                break
    return problems


def _require_current(obj: Agency | Jurisdiction, version: int) -> None:
    if obj.version != version:
        raise EditConflict(obj, current_version=obj.version, submitted_version=version)


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: LocalizedText,
    abbreviation: LocalizedText | None = None,
    parent: Agency | None = None,
    joint_meeting_member: bool = False,
    actor: Actor,
) -> Agency:
    policy.require(actor, "agency.create")
    name = clean(name)
    problems = _text_problems(code=code, name=name, abbreviation=abbreviation)
    if not AGENCY_CODE.fullmatch(code):
        problems.append(
            Problem("code", _("a code is 1 to 64 letters, digits, hyphens or underscores"))
        )
    elif code in RESERVED_CODES:
        problems.append(
            Problem("code", _("%(code)r is reserved; choose another code") % {"code": code})
        )
    elif Agency.objects.filter(code=code).exists():
        problems.append(
            Problem("code", _("an agency with code %(code)r already exists") % {"code": code})
        )
    if not name:
        problems.append(Problem("name", _("an agency needs a name in at least one language")))
    if problems:
        raise InvalidInput(problems)
    agency = create_once(
        lambda: Agency.objects.create(
            code=code,
            name=name,
            abbreviation=clean(abbreviation),
            parent=parent,
            joint_meeting_member=joint_meeting_member,
        ),
        Problem("code", _("an agency with code %(code)r already exists") % {"code": code}),
    )
    audit.record(
        actor=actor,
        action="agency.create",
        target=agency,
        after={
            "code": code,
            "name": name,
            "abbreviation": agency.abbreviation,
            "parent": parent.code if parent else None,
            "joint_meeting_member": joint_meeting_member,
        },
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    actor: Actor,
    version: int,
    name: LocalizedText,
    abbreviation: LocalizedText,
) -> Agency:
    """An agency's names, kept by the secretariat or by the agency's own focal points; refused
    if someone saved the agency since `version` (nothing is overwritten)."""
    policy.require(actor, "agency.edit", agency)
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    _require_current(agency, version)
    new_name = clean(name)
    problems = _text_problems(name=name, abbreviation=abbreviation)
    if not new_name:
        problems.append(Problem("name", _("an agency needs a name in at least one language")))
    if problems:
        raise InvalidInput(problems)
    before = {"name": agency.name, "abbreviation": agency.abbreviation}
    after = {"name": new_name, "abbreviation": clean(abbreviation)}
    if before == after:
        return agency
    agency.name, agency.abbreviation = after["name"], after["abbreviation"]
    agency.version += 1
    agency.save(update_fields=["name", "abbreviation", "version"])
    audit.record(actor=actor, action="agency.update", target=agency, before=before, after=after)
    return agency


@transaction.atomic
def jurisdiction_update(
    *,
    jurisdiction: Jurisdiction,
    actor: Actor,
    version: int,
    name: LocalizedText,
    national_code: str,
) -> Jurisdiction:
    """Names and the official national code, kept by the secretariat or the region itself;
    refused if someone saved the jurisdiction since `version`."""
    policy.require(actor, "jurisdiction.edit", jurisdiction)
    jurisdiction = Jurisdiction.objects.select_for_update().get(pk=jurisdiction.pk)
    _require_current(jurisdiction, version)
    new_name = clean(name)
    problems = _text_problems(name=name, national_code=national_code)
    if not new_name:
        problems.append(Problem("name", _("a jurisdiction needs a name in at least one language")))
    if problems:
        raise InvalidInput(problems)
    before = {"name": jurisdiction.name, "national_code": jurisdiction.national_code}
    after = {"name": new_name, "national_code": national_code.strip()}
    if before == after:
        return jurisdiction
    jurisdiction.name, jurisdiction.national_code = new_name, national_code.strip()
    jurisdiction.version += 1
    jurisdiction.save(update_fields=["name", "national_code", "version"])
    audit.record(
        actor=actor, action="jurisdiction.update", target=jurisdiction, before=before, after=after
    )
    return jurisdiction
