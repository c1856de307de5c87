"""Verifying the audit chain: hashes, sequence continuity and links, from the retention anchor on.

Three things are checked besides each entry's own hash and its link to the one before:

- the start: a retention anchor must be vouched for by the ``audit.prune`` entry that the pruning
  appended to the chain, otherwise deleting the oldest entries and writing an anchor would pass;
- the end: the last entry must be the one the chain head recorded (sequence and hash), otherwise an
  entry appended after the last one with a valid hash would pass;
- the head is read after the walk and the walk continues while the head is ahead, so entries
  appended by other writers during a long verification are not mistaken for a break.
"""

from dataclasses import dataclass

from zhunru.audit.models import AuditEvent, ChainAnchor, ChainHead

GENESIS = "0" * 64
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
                return "审计链为空，校验通过。"
            return f"审计链完整：已校验 {self.checked} 条（#{self.first_sequence}–#{self.last_sequence}）。"
        return f"审计链在第 #{self.broken_sequence} 条处断裂：{self.problem}"


def prune_vouches_for(event: AuditEvent, anchor: ChainAnchor) -> bool:
    """Whether ``event`` is the pruning that wrote ``anchor`` (it records the anchor's sequence and hash)."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    return (
        event.action == PRUNE_ACTION
        and changes.get("pruned_through") == anchor.pruned_through
        and changes.get("last_hash") == anchor.last_hash
    )


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
        queryset = AuditEvent.objects.filter(sequence__gte=self.next_sequence).order_by("sequence")
        for event in queryset.iterator(chunk_size=batch_size):
            if self.first is None:
                self.first = event.sequence
            if event.sequence != self.next_sequence:
                if event.sequence > self.next_sequence:
                    problem = f"缺少第 #{self.next_sequence} 至 #{event.sequence - 1} 条（条目被删除）。"
                    self.fail(self.next_sequence, problem, event.sequence)
                else:
                    self.fail(event.sequence, "序号重复或倒退（疑似插入条目）。", event.sequence)
                break
            if event.prev_hash != self.last_hash:
                self.fail(event.sequence, "与上一条的哈希链接不符（前面有条目被删除、插入或修改）。", event.sequence)
                break
            if event.compute_hash() != event.hash:
                problem = f"内容与记录的哈希不符（条目被修改）：{event.action} {event.object_repr}"
                self.fail(event.sequence, problem, event.sequence)
                break
            if not self.anchor_vouched and prune_vouches_for(event, self.anchor):
                self.anchor_vouched = True
            self.checked += 1
            self.next_sequence += 1
            self.last_hash = event.hash
        return self.checked - before

    @property
    def last_sequence(self) -> int:
        return self.next_sequence - 1


def _head() -> tuple[int, str] | None:
    head = ChainHead.objects.filter(pk=1).first()
    return (head.last_sequence, head.last_hash) if head is not None else None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in sequence order; report the first entry that was edited, removed or inserted."""
    anchor = ChainAnchor.objects.order_by("-pruned_through").first()
    walk = _Walk(anchor)
    walk.extend(batch_size)
    while walk.broken is None:
        head = _head()
        if head is None:
            if walk.checked:
                return walk.fail(walk.last_sequence, "链头记录缺失，无法确认末尾条目（链头被删除）。", walk.last_sequence)
            break
        head_sequence, head_hash = head
        if head_sequence > walk.last_sequence:
            # Entries committed since the walk began, or the tail was deleted: look further.
            if walk.extend(batch_size) or walk.broken is not None:
                continue
            problem = f"链头记录到 #{head_sequence}，但最后一条是 #{walk.last_sequence}（末尾条目被删除）。"
            return walk.fail(walk.last_sequence + 1, problem, walk.last_sequence)
        if head_sequence < walk.last_sequence:
            problem = (
                f"链头只记录到 #{head_sequence}，其后的 #{head_sequence + 1}–#{walk.last_sequence} "
                "不是经正常写入追加的（末尾被追加条目，或链头被篡改）。"
            )
            return walk.fail(head_sequence + 1, problem, walk.last_sequence)
        if head_hash != walk.last_hash:
            problem = "最后一条的哈希与链头记录的不符（末尾条目被替换，或链头被篡改）。"
            return walk.fail(walk.last_sequence, problem, walk.last_sequence)
        break
    if walk.broken is not None:
        return walk.broken
    if not walk.anchor_vouched:
        problem = (
            f"保留期锚点（已清理至 #{anchor.pruned_through}）没有对应的 {PRUNE_ACTION} 清理记录，"
            "疑似删除了最早的条目并伪造锚点。"
        )
        return walk.fail(anchor.pruned_through + 1, problem, walk.last_sequence)
    return ChainReport(True, walk.checked, walk.first, walk.last_sequence if walk.checked else None)
