"""The search interface every backend implements, and the result types the portal and API consume."""

import html
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from zhunru.search.analysis import QueryPlan, fold, tokenize

FILTER_FIELDS = ("type", "category", "year", "department", "region")
FACET_FIELDS = ("type", "category", "year", "department", "region")
# Fields of a document dict (``zhunru.search.documents``) that local backends keep as they are.
KEYWORD_FIELDS = ("id", "type", "category", "department", "region", "checksum")
STORED_FIELDS = ("type_label", "title", "summary", "text", "url", "date")


class SearchUnavailable(Exception):
    """The search service cannot be reached or refused the request; callers retry later."""


class SearchRejected(SearchUnavailable):
    """The search service refused this request (an unexpected 4xx); ``status`` is its HTTP status.

    A subclass of :class:`SearchUnavailable`, so every caller that survives an outage (the API's
    503, the portal's message, the outbox's retries) survives a refusal too; the query layer turns
    a refused query (400, 413) into a :class:`~zhunru.search.query.SearchQueryError` for the user.
    """

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass
class Hit:
    id: str
    type: str
    type_label: str
    title: str
    url: str
    date: str | None
    department: str
    region: str
    category: str
    score: float
    highlights: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    page: int = 1
    per_page: int = 10
    message: str = ""

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "message": self.message,
            "hits": [h.as_dict() for h in self.hits],
            "facets": self.facets,
        }


ProgressCallback = Callable[[int, int], None]


class SearchBackend(ABC):
    """One index of public documents (dicts built by ``zhunru.search.documents``), searchable in Chinese."""

    name = "base"

    def __init__(self, params: dict):
        self.params = params

    @abstractmethod
    def index_document(self, doc: dict) -> None:
        """Add or replace one document (by ``doc["id"]``)."""

    @abstractmethod
    def delete_document(self, doc_id: str) -> None:
        """Remove one document; no error if it is absent."""

    @abstractmethod
    def bulk_index(self, docs: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        """Add or replace many documents; return how many."""

    @abstractmethod
    def search(
        self,
        plan: QueryPlan,
        filters: dict | None = None,
        page: int = 1,
        per_page: int = 10,
        facets: Iterable[str] = FACET_FIELDS,
    ) -> SearchResult:
        """Run a query plan (all terms must match), filtered, with facet counts and highlights."""

    @abstractmethod
    def rebuild(self, docs: Iterable[dict], total: int | None = None, progress: ProgressCallback | None = None,
                before_swap: Callable[[], None] | None = None) -> int:
        """Build a fresh index from ``docs`` and swap it in atomically; drop the old one."""

    @abstractmethod
    def checksums(self) -> dict[str, str]:
        """``{doc_id: checksum}`` of every indexed document, for reconciliation."""

    @abstractmethod
    def health(self) -> dict:
        """``{"ok": bool, "backend": name, "documents": n, ...}``; never raises."""

    def clear(self) -> None:
        """Drop everything (tests)."""
        self.rebuild([])

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release connections."""


def sort_date(doc: dict) -> int:
    """``2024-05-10`` as 20240510 (0 without a date), for newest-first lists."""
    return int((doc.get("date") or "0").replace("-", "")[:8] or 0)


def stored_hit(fields: dict, plan: QueryPlan, score: float) -> Hit:
    """A hit from a document's stored fields, highlighted in Python (for backends without a highlighter)."""
    fragments = highlight(fields.get("title") or "", plan) + highlight(
        " ".join(filter(None, [fields.get("summary"), fields.get("text")])), plan
    )
    return Hit(
        id=fields["id"], type=fields.get("type") or "", type_label=fields.get("type_label") or "",
        title=fields.get("title") or "", url=fields.get("url") or "", date=fields.get("date"),
        department=fields.get("department") or "", region=fields.get("region") or "",
        category=fields.get("category") or "", score=float(score) if not plan.empty else 0.0,
        highlights=fragments[:3],
    )


# --- highlighting shared by backends that cannot highlight themselves ---------------------------

def highlight(text: str, plan: QueryPlan, fragment_chars: int = 60, max_fragments: int = 3) -> list[str]:
    """HTML fragments of ``text`` with the query's forms (or, failing those, its bigrams) in <em>."""
    if not text or plan.empty:
        return []
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for form in plan.highlight_forms():
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(form), folded))
    if not spans:
        for tok in {t for term in plan.terms for f in term.forms for t in tokenize(f)}:
            spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(tok), folded))
    if not spans:
        return []
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    fragments: list[str] = []
    used_until = -1
    for start, _end in merged:
        if start < used_until:
            continue
        lo = max(0, start - fragment_chars // 3)
        hi = min(len(text), lo + fragment_chars)
        inside = [s for s in merged if s[0] >= lo and s[1] <= hi]
        out, pos = [], lo
        for s, e in inside:
            out.append(html.escape(text[pos:s]))
            out.append(f"<em>{html.escape(text[s:e])}</em>")
            pos = e
        out.append(html.escape(text[pos:hi]))
        fragments.append(("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(text) else ""))
        used_until = hi
        if len(fragments) >= max_fragments:
            break
    return fragments
