"""Base models and the audit event shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """An object that people edit: its version detects stale edits."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class AppendOnly(ValueError):
    """An attempt to change or remove audit events, or to add one outside `audit.record`."""

    def __init__(self) -> None:
        super().__init__("audit events are append-only: record them with core.audit.record")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads only: every bulk path that would change, remove or insert events is refused."""

    def update(self, **kwargs: object) -> int:
        raise AppendOnly()

    def _update(self, values: object) -> int:  # the path of Model.save() for an existing row
        raise AppendOnly()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly()

    def _raw_delete(self, using: object) -> int:  # the path of cascades and fast deletes
        raise AppendOnly()

    def bulk_create(self, *args: object, **kwargs: object) -> list[AuditEvent]:
        raise AppendOnly()

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise AppendOnly()

    def update_or_create(self, *args: object, **kwargs: object) -> tuple[AuditEvent, bool]:
        raise AppendOnly()


# Only `core.audit.record` holds this, so `AuditEvent.objects.create()` cannot skip the chain.
RECORDING = object()


class AuditEvent(models.Model):
    """Who did what to which object, when and from where, with the state before and after.

    Append-only and chained: each event's hash covers its content and the previous event's hash,
    keyed with a secret kept outside the database (`HRAP_AUDIT_KEY`), so changing, removing or
    recomputing any row breaks the chain (`hrap audit verify`). Scheme 1 (unkeyed SHA-256) is how
    events were recorded before the key; they still verify, and the keyed events after them
    anchor them.
    """

    UNKEYED, KEYED = 1, 2

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("object type"), max_length=64)
    target_id = models.CharField(_("object id"), max_length=64)
    target_repr = models.CharField(_("object"), max_length=300)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    address = models.GenericIPAddressField(_("request address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    scheme = models.PositiveSmallIntegerField(default=UNKEYED, editable=False)
    # Which key signed the event (a digest of the key, never the key): keys can be rotated.
    key_id = models.CharField(max_length=16, blank=True, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # Model.save() and deletions go through the base manager: make it the refusing one.
        base_manager_name = "objects"
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None or getattr(self, "_recording", None) is not RECORDING:
            raise AppendOnly()
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnly()


class AuditChainHead(models.Model):
    """One row: the last event's sequence and hash. Writers lock it, so the chain stays linear.

    Its signature (keyed like the events) makes a head rewound over deleted events detectable.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    signature = models.CharField(max_length=64, blank=True, default="")
    key_id = models.CharField(max_length=16, blank=True, default="")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash[:12]}"
