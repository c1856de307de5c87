"""Verifying the audit chain: hashes, sequence continuity and links, from the retention anchor on.

Three things are checked besides each entry's own hash and its link to the one before:

- the start: a retention anchor must be vouched for by the ``audit.prune`` entry that the pruning
  appended to the chain, otherwise deleting the oldest entries and writing an anchor would pass;
- the end: the last entry must be the one the chain head recorded (sequence and hash), otherwise an
  entry appended after the last one with a valid hash would pass;
- the head is read after the walk and the walk continues while the head is ahead, so entries
  appended by other writers during a long verification are not mistaken for a break.

Events mirroring a django-auditlog ``LogEntry`` carry its hash: the LogEntry edited or deleted is a break.

Verification first seals whatever is committed and unsealed (``zhunru.audit.sealing``), then walks from the
latest signed checkpoint (``ChainCheckpoint``, HMAC with ``ZHUNRU_AUDIT_CHECKPOINT_KEY``, a key outside the
database) and signs a new one at the end: incremental. ``full=True`` walks from the start (or the retention
anchor) and also checks that every checkpoint still matches its event, so a chain rewritten from the start,
with every hash recomputed, is reported. Edits to events before the latest checkpoint are found by the full
walk only (run it daily; the hourly job is incremental).
"""

import gc
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from zhunru.audit.models import (
    HASHED_FIELDS,
    AuditEvent,
    ChainAnchor,
    ChainCheckpoint,
    ChainHead,
    row_values,
    values_hash,
)
from zhunru.audit.sealing import logentry_hashes, seal_pending

GENESIS = "0" * 64
_LOGENTRY_ID = HASHED_FIELDS.index("logentry_id")
PRUNE_ACTION = "audit.prune"


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_sequence: int | None = None
    last_sequence: int | None = None
    broken_sequence: int | None = None
    problem: str = ""

    def describe(self) -> str:
        if self.ok:
            if not self.checked:
                return _("审计链为空，校验通过。")
            return _("审计链完整：已校验 {checked} 条（#{first_sequence}–#{last_sequence}）。").format(checked=self.checked, first_sequence=self.first_sequence, last_sequence=self.last_sequence)
        return _("审计链在第 #{broken_sequence} 条处断裂：{problem}").format(broken_sequence=self.broken_sequence, problem=self.problem)


def prune_vouches_for(event: AuditEvent, anchor: ChainAnchor) -> bool:
    """Whether ``event`` is the pruning that wrote ``anchor`` (it records the anchor's sequence and hash)."""
    return _prune_row_vouches({"action": event.action, "changes": event.changes}, anchor)


def _prune_row_vouches(values: dict, anchor: ChainAnchor) -> bool:
    changes = values["changes"] if isinstance(values["changes"], dict) else {}
    return (
        values["action"] == PRUNE_ACTION
        and changes.get("pruned_through") == anchor.pruned_through
        and changes.get("last_hash") == anchor.last_hash
    )


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """The walk makes millions of short-lived, acyclic objects (rows, dicts, strings: freed by reference
    counting); each would count towards a cyclic collection that traverses the whole process's heap, which
    took most of the walk's time. Paused for the walk only."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Walk:
    """The chain walked so far: where it ends, and the first break if any."""

    def __init__(self, anchor: ChainAnchor | None):
        self.anchor = anchor
        self.next_sequence = anchor.pruned_through + 1 if anchor else 1
        self.last_hash = anchor.last_hash if anchor else GENESIS
        self.checked = 0
        self.first: int | None = None
        self.anchor_vouched = anchor is None
        self.broken: ChainReport | None = None

    def fail(self, broken_sequence: int, problem: str, last_sequence: int | None = None) -> ChainReport:
        self.broken = ChainReport(False, self.checked, self.first, last_sequence, broken_sequence, problem)
        return self.broken

    def extend(self, batch_size: int) -> int:
        """Check the entries after the ones checked so far; return how many were checked."""
        before = self.checked
        with _without_cycle_collection():
            self._extend(batch_size)
        return self.checked - before

    def _extend(self, batch_size: int) -> None:
        while self.broken is None:
            chunk = self._chunk(batch_size)
            if not chunk:
                break
            self._check(chunk)
            if len(chunk) < batch_size:
                break

    def _chunk(self, batch_size: int) -> list[tuple]:
        """The next ``batch_size`` entries by sequence. Asked first as a bounded range, which keeps the planner on
        the sequence index even with stale statistics (a seq scan and sort per chunk otherwise); fewer rows mean
        a gap or the end, asked again without the upper bound."""
        events = AuditEvent.objects.order_by("sequence")
        chunk = list(
            events.filter(sequence__gte=self.next_sequence, sequence__lt=self.next_sequence + batch_size).hashed_rows()
        )
        if len(chunk) < batch_size:
            chunk = list(events.filter(sequence__gte=self.next_sequence).hashed_rows()[:batch_size])
        return chunk

    def _check(self, chunk: list[tuple]) -> None:
        """Check ``hashed_rows()`` (values, not models: model instances were most of the time)."""
        # The chunk's LogEntry ids as a subquery over its sequence range, not a list of ids sent back.
        entries = logentry_hashes(
            AuditEvent.objects.filter(sequence__range=(chunk[0][0], chunk[-1][0]), logentry_id__isnull=False)
            .values("logentry_id")
        ) if any(row[_LOGENTRY_ID] is not None for row in chunk) else {}
        for row in chunk:
            values = row_values(row)
            sequence = values["sequence"]
            if self.first is None:
                self.first = sequence
            if sequence != self.next_sequence:
                if sequence > self.next_sequence:
                    problem = _("缺少第 #{next_sequence} 至 #{value} 条（条目被删除）。").format(next_sequence=self.next_sequence, value=sequence - 1)
                    self.fail(self.next_sequence, problem, sequence)
                else:
                    self.fail(sequence, _("序号重复或倒退（疑似插入条目）。"), sequence)
                break
            if values["prev_hash"] != self.last_hash:
                self.fail(sequence, _("与上一条的哈希链接不符（前面有条目被删除、插入或修改）。"), sequence)
                break
            digest = row[-1]
            if values_hash(values) != digest:
                problem = _("内容与记录的哈希不符（条目被修改）：{value} {value2}").format(value=values['action'], value2=values['object_repr'])
                self.fail(sequence, problem, sequence)
                break
            logentry_id = values["logentry_id"]
            if logentry_id is not None:
                found = entries.get(logentry_id)
                if found is None:
                    problem = _("对应的 django-auditlog 条目 #{logentry_id} 已不存在（被删除）。").format(logentry_id=logentry_id)
                    self.fail(sequence, problem, sequence)
                    break
                if found != values["logentry_hash"]:
                    problem = _("对应的 django-auditlog 条目 #{logentry_id} 与记录的哈希不符（被修改）。").format(logentry_id=logentry_id)
                    self.fail(sequence, problem, sequence)
                    break
            if not self.anchor_vouched and _prune_row_vouches(values, self.anchor):
                self.anchor_vouched = True
            self.checked += 1
            self.next_sequence += 1
            self.last_hash = digest

    @property
    def last_sequence(self) -> int:
        return self.next_sequence - 1


def _head() -> tuple[int, str] | None:
    head = ChainHead.objects.filter(pk=1).first()
    return (head.last_sequence, head.last_hash) if head is not None else None


def checkpoint_key() -> bytes:
    """ZHUNRU_AUDIT_CHECKPOINT_KEY, else derived from SECRET_KEY (a system check warns about the latter)."""
    key = getattr(settings, "ZHUNRU_AUDIT_CHECKPOINT_KEY", "") or ""
    if key:
        return key.encode()
    return hashlib.sha256(b"zhunru-audit-checkpoint:" + settings.SECRET_KEY.encode()).digest()


def sign(checkpoint: ChainCheckpoint) -> str:
    return hmac.new(checkpoint_key(), checkpoint.message(), hashlib.sha256).hexdigest()


def _forged_checkpoint(checkpoints) -> ChainCheckpoint | None:
    for checkpoint in checkpoints:
        if not hmac.compare_digest(sign(checkpoint), checkpoint.signature):
            return checkpoint
    return None


def _checkpoint_mismatch(checkpoints, floor: int) -> ChainCheckpoint | None:
    """The first checkpoint (above the retention anchor) whose event no longer has the hash it signed."""
    wanted = {c.sequence: c for c in checkpoints if c.sequence > floor}
    found = dict(AuditEvent.objects.filter(sequence__in=list(wanted)).values_list("sequence", "hash"))
    for sequence, checkpoint in sorted(wanted.items()):
        if found.get(sequence) != checkpoint.hash:
            return checkpoint
    return None


def _anchor_problem(anchor: ChainAnchor) -> ChainReport | None:
    """Incremental runs check the start without walking: the anchor is vouched for by its audit.prune entry
    and the first entry after it links to it."""
    prunes = AuditEvent.objects.filter(action=PRUNE_ACTION, sequence__gt=anchor.pruned_through)
    if not any(prune_vouches_for(event, anchor) for event in prunes):
        problem = _(
            "保留期锚点（已清理至 #{pruned_through}）没有对应的 {PRUNE_ACTION} 清理记录，"
            "疑似删除了最早的条目并伪造锚点。"
        ).format(pruned_through=anchor.pruned_through, PRUNE_ACTION=PRUNE_ACTION)
        return ChainReport(False, 0, None, None, anchor.pruned_through + 1, problem)
    first = AuditEvent.objects.filter(sequence=anchor.pruned_through + 1).first()
    if first is None or first.prev_hash != anchor.last_hash:
        problem = _("保留期锚点之后的第一条缺失或与锚点不衔接（条目被删除或锚点被篡改）。")
        return ChainReport(False, 0, None, None, anchor.pruned_through + 1, problem)
    return None


def verify_chain(batch_size: int = 2000, *, full: bool = False, seal: bool = True, checkpoint: bool = True) -> ChainReport:
    """Seal what is pending, then walk the chain in sequence order from the latest signed checkpoint (from the
    start with ``full``); report the first entry that was edited, removed, inserted or reordered, and sign a
    checkpoint at the end when intact."""
    if seal:
        seal_pending()
    anchor = ChainAnchor.objects.order_by("-pruned_through").first()
    floor = anchor.pruned_through if anchor else 0
    checkpoints = list(ChainCheckpoint.objects.order_by("-sequence"))
    forged = _forged_checkpoint(checkpoints)
    if forged is not None:
        problem = _("检查点（至 #{sequence}）的签名无效：检查点被伪造或篡改。").format(sequence=forged.sequence)
        return ChainReport(False, 0, None, None, forged.sequence, problem)
    mismatch = _checkpoint_mismatch(checkpoints if full else checkpoints[:1], floor)
    if mismatch is not None:
        problem = _("第 #{sequence} 条的哈希与已签名的检查点不符（该条或其前面的链被改写，或被删除）。").format(sequence=mismatch.sequence)
        return ChainReport(False, 0, None, None, mismatch.sequence, problem)
    walk = _Walk(anchor)
    start = next((c for c in checkpoints if c.sequence > floor), None) if not full else None
    if start is not None:
        if anchor is not None:
            broken = _anchor_problem(anchor)
            if broken is not None:
                return broken
        walk.next_sequence, walk.last_hash, walk.anchor_vouched = start.sequence + 1, start.hash, True
    walk.extend(batch_size)
    while walk.broken is None:
        head = _head()
        if head is None:
            if walk.checked:
                return walk.fail(walk.last_sequence, _("链头记录缺失，无法确认末尾条目（链头被删除）。"), walk.last_sequence)
            break
        head_sequence, head_hash = head
        if head_sequence > walk.last_sequence:
            # Entries committed since the walk began, or the tail was deleted: look further.
            if walk.extend(batch_size) or walk.broken is not None:
                continue
            problem = _("链头记录到 #{head_sequence}，但最后一条是 #{last_sequence}（末尾条目被删除）。").format(head_sequence=head_sequence, last_sequence=walk.last_sequence)
            return walk.fail(walk.last_sequence + 1, problem, walk.last_sequence)
        if head_sequence < walk.last_sequence:
            problem = _(
                "链头只记录到 #{head_sequence}，其后的 #{value}–#{last_sequence} "
                "不是经正常写入追加的（末尾被追加条目，或链头被篡改）。"
            ).format(head_sequence=head_sequence, value=head_sequence + 1, last_sequence=walk.last_sequence)
            return walk.fail(head_sequence + 1, problem, walk.last_sequence)
        if head_hash != walk.last_hash:
            problem = _("最后一条的哈希与链头记录的不符（末尾条目被替换，或链头被篡改）。")
            return walk.fail(walk.last_sequence, problem, walk.last_sequence)
        break
    if walk.broken is not None:
        return walk.broken
    if not walk.anchor_vouched:
        problem = _(
            "保留期锚点（已清理至 #{pruned_through}）没有对应的 {PRUNE_ACTION} 清理记录，"
            "疑似删除了最早的条目并伪造锚点。"
        ).format(pruned_through=anchor.pruned_through, PRUNE_ACTION=PRUNE_ACTION)
        return walk.fail(anchor.pruned_through + 1, problem, walk.last_sequence)
    if checkpoint and walk.last_sequence > (start.sequence if start else 0):
        made = ChainCheckpoint(sequence=walk.last_sequence, hash=walk.last_hash, verified_at=timezone.now())
        made.signature = sign(made)
        made.save()
    return ChainReport(True, walk.checked, walk.first, walk.last_sequence if walk.checked else None)
