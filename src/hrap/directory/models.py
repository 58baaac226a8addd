"""Agencies and jurisdictions: who carries out a plan, and where."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hrap.core.localized import choose
from hrap.core.models import Versioned


class Jurisdiction(Versioned):
    class Level(models.IntegerChoices):
        COUNTRY = 0, _("country")
        PROVINCE = 1, _("province")
        PREFECTURE = 2, _("prefecture")
        COUNTY = 3, _("county")

    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("ISO 3166 code, e.g. CN or CN-BJ")
    )
    national_code = models.CharField(
        _("national code"),
        max_length=32,
        blank=True,
        help_text=_("Official national code, e.g. China's administrative division code"),
    )
    name = models.JSONField(_("name"), default=dict)
    kind = models.CharField(_("type"), max_length=64, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return f"{self.code} {choose(self.name).text}"


class Agency(Versioned):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.JSONField(_("name"), default=dict)
    abbreviation = models.JSONField(_("abbreviation"), default=dict, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    joint_meeting_member = models.BooleanField(_("member of the joint meeting"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return choose(self.name).text or self.code
