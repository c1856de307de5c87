"""Difference between two negative list editions, matched by code, then by name similarity (re-coded items)."""

import difflib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

SIMILARITY = 0.8


@dataclass
class Entry:
    old: object | None
    new: object | None
    reasons: list[str] = field(default_factory=list)
    recoded: bool = False


@dataclass
class EditionDiff:
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    changed: list[Entry] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)

    def rows(self):
        for label, entries in ((_("新增"), self.added), (_("删除"), self.removed), (_("变化"), self.changed)):
            for e in entries:
                yield [
                    label,
                    e.old.code if e.old else "",
                    e.new.code if e.new else "",
                    (e.new or e.old).name,
                    "；".join(e.reasons),
                ]


def _reasons(old, new) -> list[str]:
    reasons = []
    if old.code != new.code:
        reasons.append(_("事项编码由{code}改为{code2}").format(code=old.code, code2=new.code))
    if old.name != new.name:
        reasons.append(_("事项名称变化"))
    if old.kind != new.kind:
        reasons.append(_("类别变化"))
    if old.measure_texts() != new.measure_texts():
        reasons.append(_("准入措施描述变化"))
    if old.departments != new.departments:
        reasons.append(_("主管部门变化"))
    return reasons


def diff_editions(old_edition, new_edition) -> EditionDiff:
    old = {i.code: i for i in old_edition.items.prefetch_related("measures")}
    new = {i.code: i for i in new_edition.items.prefetch_related("measures")}
    result = EditionDiff()
    pairs = [(old[c], new[c], False) for c in old.keys() & new.keys()]
    only_old = [old[c] for c in sorted(old.keys() - new.keys())]
    only_new = {c: new[c] for c in sorted(new.keys() - old.keys())}
    for item in only_old:
        best, score = None, 0.0
        for candidate in only_new.values():
            s = difflib.SequenceMatcher(None, item.name, candidate.name).ratio()
            if s > score:
                best, score = candidate, s
        if best is not None and score >= SIMILARITY:
            pairs.append((item, best, True))
            del only_new[best.code]
        else:
            result.removed.append(Entry(item, None, [_("事项已删除")]))
    for o, n, recoded in pairs:
        reasons = _reasons(o, n)
        (result.changed if reasons else result.unchanged).append(Entry(o, n, reasons, recoded))
    result.added = [Entry(None, n, [_("新增事项")]) for n in only_new.values()]
    result.changed.sort(key=lambda e: e.new.code)
    return result
