"""Writes to the directory: loading jurisdictions from ISO 3166, creating agencies."""

from __future__ import annotations

import gettext

import pycountry
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import InvalidInput, Problem
from hrap.core.localized import LocalizedText, clean, content_languages
from hrap.directory.models import Agency, Jurisdiction

# Content language tag → the gettext locale of the iso-codes catalogs that pycountry ships.
_ISO_LOCALES = {"zh-Hans": "zh_CN", "zh-Hant": "zh_TW"}


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
def jurisdiction_load_country(
    *, code: str, actor: AbstractBaseUser | AnonymousUser | None
) -> Jurisdiction:
    """The country and its first-level subdivisions from ISO 3166, created if missing."""
    policy.require(actor, "jurisdiction.load")
    country = pycountry.countries.get(alpha_2=code.upper())
    if country is None:
        raise InvalidInput([Problem("jurisdiction", f"{code!r} is not an ISO 3166-1 country code")])
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


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: LocalizedText,
    abbreviation: LocalizedText | None = None,
    parent: Agency | None = None,
    joint_meeting_member: bool = False,
    actor: AbstractBaseUser | AnonymousUser | None,
) -> Agency:
    policy.require(actor, "agency.create")
    name = clean(name)
    if not name:
        raise InvalidInput([Problem("name", "an agency needs a name in at least one language")])
    if Agency.objects.filter(code=code).exists():
        raise InvalidInput([Problem("code", f"an agency with code {code!r} already exists")])
    agency = Agency.objects.create(
        code=code,
        name=name,
        abbreviation=clean(abbreviation),
        parent=parent,
        joint_meeting_member=joint_meeting_member,
    )
    audit.record(
        actor=actor, action="agency.create", target=agency, after={"code": code, "name": name}
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: Agency,
    actor: AbstractBaseUser | AnonymousUser | None,
    name: LocalizedText,
    abbreviation: LocalizedText,
) -> Agency:
    """An agency's names, kept by the secretariat or by the agency's own focal points."""
    policy.require(actor, "agency.edit", agency)
    new_name = clean(name)
    if not new_name:
        raise InvalidInput([Problem("name", "an agency needs a name in at least one language")])
    before = {"name": agency.name, "abbreviation": agency.abbreviation}
    after = {"name": new_name, "abbreviation": clean(abbreviation)}
    if before == after:
        return agency
    agency.name, agency.abbreviation = after["name"], after["abbreviation"]
    agency.save(update_fields=["name", "abbreviation"])
    audit.record(actor=actor, action="agency.update", target=agency, before=before, after=after)
    return agency


@transaction.atomic
def jurisdiction_update(
    *,
    jurisdiction: Jurisdiction,
    actor: AbstractBaseUser | AnonymousUser | None,
    name: LocalizedText,
    national_code: str,
) -> Jurisdiction:
    """Names and the official national code, kept by the secretariat or the region itself."""
    policy.require(actor, "jurisdiction.edit", jurisdiction)
    new_name = clean(name)
    if not new_name:
        raise InvalidInput(
            [Problem("name", "a jurisdiction needs a name in at least one language")]
        )
    before = {"name": jurisdiction.name, "national_code": jurisdiction.national_code}
    after = {"name": new_name, "national_code": national_code.strip()}
    if before == after:
        return jurisdiction
    jurisdiction.name, jurisdiction.national_code = new_name, national_code.strip()
    jurisdiction.save(update_fields=["name", "national_code"])
    audit.record(
        actor=actor, action="jurisdiction.update", target=jurisdiction, before=before, after=after
    )
    return jurisdiction
