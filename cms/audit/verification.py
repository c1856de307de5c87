"""Verifying the audit chain: hashes, sequence continuity and links, from the retention anchor on."""

from dataclasses import dataclass

from cms.audit.models import AuditEvent, ChainAnchor, ChainHead

GENESIS = "0" * 64


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


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain in sequence order; report the first entry that was edited, removed or inserted."""
    anchor = ChainAnchor.objects.order_by("-pruned_through").first()
    expected_sequence = anchor.pruned_through + 1 if anchor else 1
    expected_prev = anchor.last_hash if anchor else GENESIS
    checked = 0
    first = None
    last_event = None
    queryset = AuditEvent.objects.filter(sequence__gte=expected_sequence).order_by("sequence")
    for event in queryset.iterator(chunk_size=batch_size):
        if first is None:
            first = event.sequence
        if event.sequence != expected_sequence:
            if event.sequence > expected_sequence:
                problem = f"缺少第 #{expected_sequence} 至 #{event.sequence - 1} 条（条目被删除）。"
                return ChainReport(False, checked, first, event.sequence, expected_sequence, problem)
            problem = "序号重复或倒退（疑似插入条目）。"
            return ChainReport(False, checked, first, event.sequence, event.sequence, problem)
        if event.prev_hash != expected_prev:
            problem = "与上一条的哈希链接不符（前面有条目被删除、插入或修改）。"
            return ChainReport(False, checked, first, event.sequence, event.sequence, problem)
        if event.compute_hash() != event.hash:
            problem = f"内容与记录的哈希不符（条目被修改）：{event.action} {event.object_repr}"
            return ChainReport(False, checked, first, event.sequence, event.sequence, problem)
        checked += 1
        expected_sequence += 1
        expected_prev = event.hash
        last_event = event
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_sequence >= expected_sequence:
        problem = f"链头记录到 #{head.last_sequence}，但最后一条是 #{expected_sequence - 1}（末尾条目被删除）。"
        return ChainReport(False, checked, first, expected_sequence - 1, expected_sequence, problem)
    return ChainReport(True, checked, first, last_event.sequence if last_event else None)
