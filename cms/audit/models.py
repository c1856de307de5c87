"""Audit events, written unsealed by any number of writers and hash-chained afterwards by one sealer.

A writer only inserts its event (``sequence``, ``prev_hash`` and ``hash`` empty): no lock is taken, so an
audited write never waits for another writer's open transaction. The sealer (``zhunru.audit.sealing``) takes
the chain head's row lock, gives committed unsealed events the next sequence numbers in id order and hashes
them into the chain. See ``zhunru.audit.sealing`` for why late commits leave no gap.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhunru.clock import format_datetime, localize_text


def changes_text(changes) -> str:
    """Recorded changes as a person reads them: JSON with every time in Beijing time."""
    return localize_text(json.dumps(changes, ensure_ascii=False, cls=DjangoJSONEncoder))


# The fields an event's hash covers (attribute names); the last five only from format 2 on.
HASHED_FIELDS = (
    "sequence", "timestamp", "actor_id", "actor_repr", "ip", "action", "object_type", "object_id", "object_repr",
    "department_id", "changes", "note", "prev_hash", "format", "id", "jurisdiction_id", "logentry_id",
    "logentry_hash",
)
_FORMAT_2_FIELDS = HASHED_FIELDS[-5:]


# One encoder for every hash (json.dumps with these arguments builds a new one per call).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def utc_datetime(text: str) -> datetime:
    """A timestamp read as text (``Cast(field, TextField())``: PostgreSQL writes it in the connection's UTC,
    SQLite stores naive UTC) as an aware UTC datetime, the value the ORM would have read. Python's parser is
    in C; the loader Django gives psycopg parses in Python, which was a sixth of verification's time."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical_content(values: dict) -> str:
    """What an event's hash covers, from its field values (a model's attributes, or a ``values()`` row, so
    verification can hash millions of rows without building a model for each): every recorded field as
    sorted JSON; events of format 1 without the fields format 2 added."""
    content = dict(values)
    content["timestamp"] = content["timestamp"].isoformat()
    if content["format"] < 2:
        for name in _FORMAT_2_FIELDS:
            del content[name]
    return _CANONICAL.encode(content)


def content_hash(canonical: str) -> str:
    """SHA-256 of canonical content, hex."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def row_values(row: tuple) -> dict:
    """The hashed field values of a ``hashed_rows()`` row (its last item, the stored hash, left out)."""
    values = dict(zip(HASHED_FIELDS, row, strict=False))
    values["timestamp"] = utc_datetime(values["timestamp"])
    return values


def values_hash(values: dict) -> str:
    """The hash of an event from its field values: the same as ``AuditEvent.compute_hash`` without a model."""
    return content_hash(canonical_content(values))


class AuditLogImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def visible_to(self, user) -> "AuditEventQuerySet":
        """Superusers see every event; anyone else the events of their own jurisdictions (none without).

        Events with no jurisdiction (a failed login under an unknown name, a superuser's shell) are seen by
        superusers only.
        """
        from zhunru.scoping import user_jurisdictions

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(jurisdiction__in=user_jurisdictions(user))

    def update(self, **kwargs):
        raise AuditLogImmutable(_("审计日志不可修改。"))

    def delete(self):
        raise AuditLogImmutable(_("审计日志不可删除；过期日志只能通过保留期清理命令处理。"))

    def unsealed(self) -> "AuditEventQuerySet":
        return self.filter(sequence__isnull=True)

    def hashed_rows(self) -> "models.QuerySet":
        """Rows of the ``HASHED_FIELDS`` and the stored hash, without building models (``row_values`` reads one):
        the sealer and verification go through millions. The timestamp is read as text and parsed in C
        (``utc_datetime``)."""
        columns = ["timestamp_text" if name == "timestamp" else name for name in HASHED_FIELDS]
        return self.annotate(timestamp_text=Cast("timestamp", models.TextField())).values_list(*columns, "hash")

    def _seal(self, **kwargs) -> int:
        """The sealer's only write: fill the chain fields of still unsealed events."""
        return models.QuerySet.update(self.filter(sequence__isnull=True), **kwargs)


class AuditEvent(models.Model):
    """One thing that happened: a state transition, login, export, download, publication."""

    # Empty until sealed: the sealer assigns the chain order (see zhunru.audit.sealing).
    sequence = models.PositiveBigIntegerField(gettext_lazy("序号"), unique=True, null=True, blank=True, editable=False)
    timestamp = models.DateTimeField(gettext_lazy("时间"), db_index=True)
    # Deleting a user or department must not rewrite the entries that name them (SET_NULL would, and
    # the chain would show them as tampered with): the ids stay as recorded, without a database constraint.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("操作人"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    actor_repr = models.CharField(gettext_lazy("操作人（记录时）"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(gettext_lazy("IP 地址"), null=True, blank=True)
    action = models.CharField(gettext_lazy("操作"), max_length=60, db_index=True)
    object_type = models.CharField(gettext_lazy("对象类型"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(gettext_lazy("对象 ID"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(gettext_lazy("对象"), max_length=255, blank=True)
    department = models.ForeignKey(
        "zhunru_cms.Department", verbose_name=gettext_lazy("部门"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    jurisdiction = models.ForeignKey(
        "zhunru_cms.Jurisdiction", verbose_name=gettext_lazy("辖区"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    changes = models.JSONField(gettext_lazy("变更内容"), default=dict, blank=True)
    note = models.TextField(gettext_lazy("说明"), blank=True)
    # The django-auditlog LogEntry this event mirrors, and the hash of its content at the time: editing or
    # deleting the LogEntry is detected by verification.
    logentry_id = models.PositiveBigIntegerField(gettext_lazy("django-auditlog 条目"), null=True, blank=True, editable=False)
    logentry_hash = models.CharField(gettext_lazy("django-auditlog 条目哈希"), max_length=64, blank=True, editable=False)
    # 1: sealed under a lock at write time (before jurisdiction, id and LogEntry were covered); 2: by the sealer.
    format = models.PositiveSmallIntegerField(gettext_lazy("哈希格式"), default=2, editable=False)
    prev_hash = models.CharField(gettext_lazy("上一条哈希"), max_length=64, blank=True, editable=False)
    hash = models.CharField(gettext_lazy("哈希"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("审计事件")
        verbose_name_plural = gettext_lazy("审计事件")
        ordering = ["sequence", "id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sequence__isnull=True), name="zhunru_audit_unsealed"),
        ]

    def __str__(self) -> str:
        number = f"#{self.sequence}" if self.sequence is not None else _("（待封存）")
        return f"{number} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogImmutable(_("审计日志不可修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable(_("审计日志不可删除。"))

    @property
    def sequence_label(self) -> str:
        """The chain position, or 待封存 for an event the sealer has not reached yet (a few seconds)."""
        return str(self.sequence) if self.sequence is not None else _("待封存")

    def get_timestamp_display(self) -> str:
        """Beijing time, written as every time a person reads (zhunru.clock)."""
        return format_datetime(self.timestamp)

    def get_changes_display(self) -> str:
        """The recorded changes as JSON, the times in them written in Beijing time."""
        return changes_text(self.changes)

    @admin.display(description=gettext_lazy("部门"))
    def department_name(self) -> str:
        """The department's name, or its recorded id once the department is deleted."""
        if self.department_id is None:
            return ""
        try:
            return str(self.department)
        except ObjectDoesNotExist:
            return _("已删除的部门 #{department_id}").format(department_id=self.department_id)

    def canonical_content(self) -> str:
        """What the hash covers: every recorded field, in a fixed order."""
        return canonical_content({name: getattr(self, name) for name in HASHED_FIELDS})

    def compute_hash(self) -> str:
        return content_hash(self.canonical_content())


class ChainAnchor(models.Model):
    """Where verification starts after retention pruning: the last pruned entry's sequence and hash."""

    pruned_through = models.PositiveBigIntegerField(gettext_lazy("已清理至序号"))
    last_hash = models.CharField(gettext_lazy("最后清理条目的哈希"), max_length=64)
    pruned_at = models.DateTimeField(gettext_lazy("清理时间"))

    class Meta:
        verbose_name = gettext_lazy("审计链锚点")
        ordering = ["-pruned_through"]

    def __str__(self) -> str:
        return f"≤#{self.pruned_through}"


class ChainHead(models.Model):
    """The chain's end: a single row that only the sealer locks (briefly, while sealing a batch)."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = gettext_lazy("审计链头")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"


class ChainCheckpoint(models.Model):
    """A point up to which the chain was verified, signed with a key kept outside the database.

    Verification continues from the latest checkpoint (incremental); someone who rewrites the whole chain
    (recomputing every hash and the head) cannot write a matching checkpoint without the key.
    """

    sequence = models.PositiveBigIntegerField(gettext_lazy("已校验至序号"))
    hash = models.CharField(gettext_lazy("该条哈希"), max_length=64)
    verified_at = models.DateTimeField(gettext_lazy("校验时间"))
    signature = models.CharField(gettext_lazy("签名"), max_length=64)

    class Meta:
        verbose_name = gettext_lazy("审计链检查点")
        ordering = ["-sequence"]

    def __str__(self) -> str:
        return f"✓#{self.sequence}"

    def message(self) -> bytes:
        return f"{self.sequence}:{self.hash}:{self.verified_at.isoformat()}".encode()
