"""The search interface every backend implements, and the result types the portal and API consume."""

import hashlib
import html
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from zhunru.search.analysis import QueryPlan, fold, tokenize, words

FILTER_FIELDS = ("type", "category", "year", "department", "region")
FACET_FIELDS = ("type", "category", "year", "department", "region")
# Fields of a document dict (``zhunru.search.documents``) that local backends keep as they are.
KEYWORD_FIELDS = ("id", "type", "category", "department", "region", "checksum")
STORED_FIELDS = ("type_label", "title", "summary", "text", "url", "date")

# Bounded work per query (issue 21 item 5): the total is exact up to a threshold ("10000+" beyond it), and
# facets are counted over every match only while there are few; beyond that, over a fixed pseudo-random
# sample of the matches (documents whose ``sample`` key, a hash of their id in 0..SAMPLE_BUCKETS-1, is below
# a cut), scaled up and marked approximate. Every backend stores the same key and applies the same rule.
TOTAL_HITS_THRESHOLD = 10_000
FACET_SAMPLE_SIZE = 5_000
SAMPLE_BUCKETS = 1024


def sample_key(doc_id: str) -> int:
    """A document's facet-sample key: the same on every backend and in every process."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") % SAMPLE_BUCKETS


def sample_cut(total: int, relation: str, num_docs: int, size: int) -> int | None:
    """Facet counting for a query matching ``total`` (``relation`` "gte": at least that many) of ``num_docs``
    documents: None to count every match, else the sample keys below which matches are counted.

    A capped total may hide up to the whole index, so the cut is then sized on ``num_docs``: about ``size``
    matches are counted at most, whatever the corpus."""
    matches = max(total, num_docs) if relation == "gte" else total
    if matches <= size:
        return None
    return max(1, SAMPLE_BUCKETS * size // matches)


def scaled_facets(counts: dict[str, dict[str, int]], cut: int | None) -> dict[str, dict[str, int]]:
    """Facet counts of a sample (keys below ``cut``) scaled to estimates over every match."""
    if cut is None:
        return counts
    factor = SAMPLE_BUCKETS / cut
    return {name: {value: max(1, math.floor(n * factor + 0.5)) for value, n in values.items()}
            for name, values in counts.items()}


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
        # Not dataclasses.asdict: its recursive deep copy cost ~0.2 ms a hit, ten hits a request.
        return {**vars(self), "highlights": list(self.highlights)}


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    page: int = 1
    per_page: int = 10
    message: str = ""
    # "eq": ``total`` is exact; "gte": at least ``total`` (the threshold) match, shown as "10000+".
    total_relation: str = "eq"
    # True: the facet counts are estimates from a sample of the matches (see ``sample_cut``).
    facets_sampled: bool = False

    @property
    def total_display(self) -> str:
        return f"{self.total}+" if self.total_relation == "gte" else str(self.total)

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "total_relation": self.total_relation,
            "total_display": self.total_display,
            "facets_sampled": self.facets_sampled,
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

    @property
    def total_hits_threshold(self) -> int:
        return int(self.params.get("TOTAL_HITS_THRESHOLD") or TOTAL_HITS_THRESHOLD)

    @property
    def facet_sample_size(self) -> int:
        return int(self.params.get("FACET_SAMPLE_SIZE") or FACET_SAMPLE_SIZE)

    @property
    def segmentation(self) -> bool:
        """Whether documents carry a word field and queries boost whole words (``SEGMENTATION``, needs rjieba)."""
        from zhunru.search.analysis import segmentation_available

        return bool(self.params.get("SEGMENTATION")) and segmentation_available()

    def capped(self, count: int) -> tuple[int, str]:
        """An exact match count as (total, relation): at most the threshold, "gte" beyond it."""
        limit = self.total_hits_threshold
        return (limit, "gte") if count > limit else (count, "eq")

    @abstractmethod
    def index_document(self, doc: dict) -> None:
        """Add or replace one document (by ``doc["id"]``)."""

    @abstractmethod
    def delete_document(self, doc_id: str) -> None:
        """Remove one document; no error if it is absent."""

    def delete_documents(self, doc_ids: list[str]) -> None:
        """Remove several documents (a backend may do it in one write)."""
        for doc_id in doc_ids:
            self.delete_document(doc_id)

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
        """Run a query plan, filtered, with the top ``per_page`` hits of ``page`` highlighted, the total (exact up
        to ``total_hits_threshold``) and facet counts (exact up to ``facet_sample_size`` matches, else sampled)."""

    @abstractmethod
    def rebuild(self, docs: Iterable[dict], total: int | None = None, progress: ProgressCallback | None = None,
                before_swap: Callable[[], None] | None = None) -> int:
        """Build a fresh index from ``docs`` and swap it in atomically; drop the old one."""

    @abstractmethod
    def checksums(self) -> dict[str, str]:
        """``{doc_id: checksum}`` of every indexed document (small indexes and tests; reconciliation streams)."""

    def checksums_of(self, doc_ids: list[str]) -> dict[str, str]:
        """``{doc_id: checksum}`` of those of ``doc_ids`` that are indexed (one chunk of a reconciliation)."""
        wanted = set(doc_ids)
        return {k: v for k, v in self.checksums().items() if k in wanted}

    def iter_ids(self, chunk: int = 1000) -> Iterator[list[str]]:
        """Every indexed id, in chunks of about ``chunk``, holding no more than a chunk at a time."""
        ids = list(self.checksums())
        for start in range(0, len(ids), chunk):
            yield ids[start:start + chunk]

    @abstractmethod
    def health(self) -> dict:
        """``{"ok": bool, "backend": name, "documents": n, ...}``; never raises."""

    def clear(self) -> None:
        """Drop everything (tests)."""
        self.rebuild([])

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release connections."""


def document_words(doc: dict) -> str:
    """The word field of a document (SEGMENTATION): the dictionary words of its title, summary and text,
    whitespace-joined; every backend indexes the same."""
    return " ".join(words(" ".join(filter(None, [doc.get("title"), doc.get("summary"), doc.get("text")]))))


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
        spans.extend(_occurrences(form, folded))
    if not spans:
        for tok in {t for term in plan.terms for f in term.forms for t in tokenize(f)}:
            spans.extend(_occurrences(tok, folded))
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


def _occurrences(needle: str, haystack: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every non-overlapping occurrence (``re.finditer`` of the escaped needle, faster)."""
    if not needle:
        return
    start = haystack.find(needle)
    while start >= 0:
        yield start, start + len(needle)
        start = haystack.find(needle, start + len(needle))
