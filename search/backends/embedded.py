"""The embedded backend: a Tantivy index in a local directory, no server needed.

Text is analysed in Python (``zhunru.search.analysis``: width folding, lowercase, CJK bigrams) and
stored pre-tokenized behind Tantivy's whitespace tokenizer, because the Python bindings have no
``cjk_bigram`` filter. Generations behind a ``CURRENT`` pointer (atomic rebuilds) and the writer
lock across processes come from :mod:`zhunru.search.backends.directory`.
"""

import functools
import logging
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import tantivy
from django.utils.translation import gettext as _

from zhunru.search.analysis import QueryPlan, Term, analyzed, normalize_code, tokenize, words
from zhunru.search.backends.base import (
    FACET_FIELDS,
    KEYWORD_FIELDS,
    SAMPLE_BUCKETS,
    STORED_FIELDS,
    ProgressCallback,
    SearchResult,
    SearchUnavailable,
    document_words,
    sample_cut,
    sample_key,
    scaled_facets,
    sort_date,
    stored_hit,
)
from zhunru.search.backends.directory import PROGRESS_EVERY, DirectoryBackend

log = logging.getLogger(__name__)

TITLE_BOOST, PHRASE_BOOST, CODE_BOOST, PROXIMITY_BOOST = 2.0, 4.0, 20.0, 0.5
# A whole dictionary word of the query in a document's word field (SEGMENTATION): a weak extra signal.
WORD_BOOST = 0.5
WRITER_HEAP = 64_000_000
# Facet values per field, and per segment before they are merged: Elasticsearch's default shard_size for the
# same size (size * 1.5 + 10), so both backends count the long tail (departments of a province) alike. Tantivy's
# default (size * 10) resolves 500 terms per segment: at 100,000 documents with 15,000 departments that alone
# took 16-19 ms a query, 85 take 4-12 ms (bench/search.py --realistic, loaded machine).
FACET_SIZE, FACET_SEGMENT_SIZE = 50, 85
SORT_RUN = 10_000  # documents held and sorted at once while a rebuild loads (see EmbeddedBackend._load)


@functools.cache
def _facet_pool(pid: int) -> ThreadPoolExecutor:
    """Threads for facet passes, one pool per process (keyed by pid: a forked server worker makes its own)."""
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="zhunru-facets")


def build_schema(segmentation: bool = False) -> tantivy.Schema:
    """The index's fields; ``segmentation`` adds the word field (switching it on or off needs a rebuild)."""
    sb = tantivy.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", fast=name != "checksum")
    sb.add_text_field("codes", stored=True, tokenizer_name="raw")
    sb.add_integer_field("year", stored=True, indexed=True, fast=True)
    sb.add_integer_field("sort_date", indexed=False, fast=True)
    sb.add_integer_field("sample", indexed=True, fast=True)  # facet sample key (base.sample_key)
    for name in STORED_FIELDS:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title_t", tokenizer_name="whitespace")
    sb.add_text_field("text_t", tokenizer_name="whitespace")
    if segmentation:
        sb.add_text_field("words_t", tokenizer_name="whitespace")
    return sb.build()


def to_tantivy(doc: dict, segmentation: bool = False) -> tantivy.Document:
    d = tantivy.Document()
    for name in KEYWORD_FIELDS:
        if doc.get(name):
            d.add_text(name, str(doc[name]))
    for code in doc.get("codes") or ():
        if code:
            d.add_text("codes", normalize_code(str(code)))
    if doc.get("year"):
        d.add_integer("year", int(doc["year"]))
    d.add_integer("sort_date", sort_date(doc))
    d.add_integer("sample", sample_key(doc["id"]))
    for name in STORED_FIELDS:
        if doc.get(name):
            d.add_text(name, str(doc[name]))
    d.add_text("title_t", analyzed(doc.get("title", "")))
    d.add_text("text_t", analyzed(" ".join(filter(None, [doc.get("summary", ""), doc.get("text", "")]))))
    if segmentation:
        d.add_text("words_t", document_words(doc))
    return d


class EmbeddedBackend(DirectoryBackend):
    name = "embedded"

    def __init__(self, params: dict):
        super().__init__(params)
        # Decided once: the schema, every document and every query follow the same choice.
        self.segmented = self.segmentation
        self.schema = build_schema(self.segmented)
        self._index: tantivy.Index | None = None
        self._index_dir: str | None = None

    def _create(self, path: Path) -> None:
        tantivy.Index(self.schema, path=str(path))

    def _forget(self) -> None:
        self._index, self._index_dir = None, None

    def _open(self) -> tantivy.Index:
        """The live index, reopened when another process swapped ``CURRENT``."""
        with self._mutex:
            name = self._ensure_current()
            if self._index is None or self._index_dir != name:
                try:
                    self._index = tantivy.Index(self.schema, path=str(self.root / name))
                except ValueError as exc:
                    if "schema does not match" not in str(exc):
                        raise
                    # An index written by an older release (fields added since, e.g. the facet sample key).
                    raise SearchUnavailable(_("检索索引由旧版本建立，结构已更新：请运行 manage.py rebuild_search_index "
                                            "重建索引。")) from exc
                self._index_dir = name
            else:
                self._index.reload()
            return self._index

    @contextmanager
    def _writer(self, index: tantivy.Index | None = None):
        with self._write_lock():
            index = index or self._open()
            writer = index.writer(WRITER_HEAP, 1)
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
            finally:
                del writer

    # --- writes ---------------------------------------------------------------------------------

    def index_document(self, doc: dict) -> None:
        with self._writer() as w:
            w.delete_documents_by_term("id", doc["id"])
            w.add_document(to_tantivy(doc, self.segmented))

    def delete_document(self, doc_id: str) -> None:
        with self._writer() as w:
            w.delete_documents_by_term("id", doc_id)

    def delete_documents(self, doc_ids: list[str]) -> None:
        with self._writer() as w:
            for doc_id in doc_ids:
                w.delete_documents_by_term("id", doc_id)

    def bulk_index(self, docs: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        n = 0
        with self._writer() as w:
            for doc in docs:
                w.delete_documents_by_term("id", doc["id"])
                w.add_document(to_tantivy(doc, self.segmented))
                n += 1
                if progress and n % PROGRESS_EVERY == 0:
                    progress(n, 0)
        return n

    def _load(self, path: Path, docs: Iterable[dict], total: int, progress: ProgressCallback | None) -> int:
        """Load in runs of ``SORT_RUN`` documents, each in facet-sample-key order: the documents of a facet
        sample (keys below a cut, ``base.sample_cut``) then lie together at the front of each run, so a
        sampled facet count reads a few stretches of the posting lists instead of all of them (at 100,000
        documents the sample is 5 % of the index). Only the order of documents changes, not what is indexed."""
        index = tantivy.Index(self.schema, path=str(path))
        n = 0
        writer = index.writer(WRITER_HEAP * 2, 1)  # a private directory: no lock needed while loading
        try:
            for run in _runs(docs, SORT_RUN):
                run.sort(key=lambda doc: sample_key(doc["id"]))
                for doc in run:
                    writer.add_document(to_tantivy(doc, self.segmented))
                    n += 1
                    if progress and n % PROGRESS_EVERY == 0:
                        progress(n, total)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        finally:
            del writer
        return n

    # --- reads ----------------------------------------------------------------------------------

    def _term_query(self, term: Term, scoring: bool = True) -> tantivy.Query:
        """A term in any of its forms: all its bigrams in the title or all in the text (or its code); when
        ``scoring``, also the phrase of its bigrams, which only raises a score (a phrase in a field implies
        all its bigrams in that field), so a count or a facet pass leaves it out."""
        clauses = []
        for form in term.forms:
            if term.single_char:
                pattern = f".?{re.escape(form)}.?"
                for fname, boost in (("title_t", TITLE_BOOST), ("text_t", 1.0)):
                    clauses.append(tantivy.Query.boost_query(
                        tantivy.Query.regex_query(self.schema, fname, pattern), boost))
                continue
            tokens = tokenize(form)
            if not tokens:
                continue
            for fname, boost in (("title_t", TITLE_BOOST), ("text_t", 1.0)):
                all_tokens = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, tantivy.Query.term_query(self.schema, fname, t)) for t in dict.fromkeys(tokens)]
                )
                clauses.append(tantivy.Query.boost_query(all_tokens, boost))
                if scoring and len(tokens) > 1:
                    clauses.append(tantivy.Query.boost_query(
                        tantivy.Query.phrase_query(self.schema, fname, tokens), boost * PHRASE_BOOST))
        if term.code:
            clauses.append(tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, "codes", normalize_code(term.code)), CODE_BOOST))
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in clauses])

    def _plan_query(self, plan: QueryPlan, filters: dict, scoring: bool = True,
                    within: tantivy.Query | None = None) -> tantivy.Query:
        """Keywords and filters must match; at least ``minimum_should_match`` of a sentence's units must;
        the sentence's three-character pieces only add to the score (see ``QueryPlan``).

        ``scoring=False`` gives the same matches without the clauses that only score (phrases, proximity),
        for counting facets. ``within`` (a facet sample) is required of every sentence unit as well as of
        the whole: Tantivy's minimum-should-match scorer cannot skip ahead to the few documents of a
        sample, so each unit is narrowed to it before they are counted."""
        Q, Must, Should = tantivy.Query, tantivy.Occur.Must, tantivy.Occur.Should
        must = [self._term_query(t, scoring) for t in plan.terms] + self._filter_query(filters)
        if plan.optional:
            units = [self._term_query(t, scoring) for t in plan.optional]
            if within is not None:
                units = [Q.boolean_query([(Must, u), (Must, within)]) for u in units]
            must.append(Q.boolean_query([(Should, u) for u in units], plan.minimum_should_match))
        if within is not None:
            must.append(within)
        if not must:
            return Q.all_query()
        core = Q.boolean_query([(Must, q) for q in must])
        boosts = []
        for phrase in plan.phrases if scoring else ():
            tokens = tokenize(phrase)
            for fname, boost in (("title_t", TITLE_BOOST), ("text_t", 1.0)):
                boosts.append(Q.boost_query(Q.phrase_query(self.schema, fname, tokens), boost * PROXIMITY_BOOST))
        if scoring and self.segmented:  # whole words of the query raise a score, never decide a match
            for word in dict.fromkeys(words(plan.text)):
                boosts.append(Q.boost_query(Q.term_query(self.schema, "words_t", word), WORD_BOOST))
        if not boosts:
            return core
        return Q.boolean_query([(Must, core)] + [(Should, b) for b in boosts])

    def _filter_query(self, filters: dict) -> list[tantivy.Query]:
        out = []
        for name, value in (filters or {}).items():
            if value in (None, ""):
                continue
            values = value if isinstance(value, list | tuple) else [value]
            if name == "year":
                terms = [tantivy.Query.term_query(self.schema, "year", int(v)) for v in values]
            else:
                terms = [tantivy.Query.term_query(self.schema, name, str(v)) for v in values]
            out.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, t) for t in terms]))
        return out

    def search(self, plan: QueryPlan, filters: dict | None = None, page: int = 1, per_page: int = 10,
               facets: Iterable[str] = FACET_FIELDS) -> SearchResult:
        try:
            index = self._open()
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(str(exc)) from exc
        searcher = index.searcher()
        query = self._plan_query(plan, filters or {})
        offset = (page - 1) * per_page
        # Top-k: the collector keeps per_page + offset hits; counting rides along the same pass over the
        # matches and is shown capped at the threshold. It costs nothing measurable: Tantivy's block-max
        # skipping applies to pure disjunctions only, and these queries are conjunctions (keywords, filters)
        # or a minimum-should-match union, scored for every match either way (bench/search.py --realistic:
        # count=True and count=False equal within run-to-run noise at 100,000 documents).
        order = {"order_by_field": "sort_date"} if plan.empty else {}
        names = list(facets)
        aggregations = {n: {"terms": {"field": n, "size": FACET_SIZE, "segment_size": FACET_SEGMENT_SIZE}}
                        for n in names}
        cut, pending = None, None
        if names and plan.optional:
            # A sentence query: its facets are counted exactly, over every match, on another thread while this
            # one runs the top-k (Tantivy releases the GIL). Evaluating the sentence's minimum-should-match
            # union is most of either pass, whatever the number of matches, so a sample would save little, and
            # its size could only be chosen after the top-k's count, one pass after the other.
            pending = self._facet_pass(searcher, plan, filters, None, aggregations)
        elif names and searcher.num_docs > self.total_hits_threshold:
            # Keywords: the sample the facets need is known before the count only when the count reaches the
            # threshold (a capped total sizes it on the whole index), which is where the passes are longest.
            # That pass starts now, beside the top-k, and is used only if the count says so.
            cut = sample_cut(self.total_hits_threshold, "gte", searcher.num_docs, self.facet_sample_size)
            pending = self._facet_pass(searcher, plan, filters, cut, aggregations)
        result = searcher.search(query, per_page, count=True, offset=offset, **order)
        total, relation = self.capped(int(result.count or 0))
        if names and total and not plan.optional:
            # A second, unscored pass over the same matches (without the clauses that only score), or over
            # the sample of them that ``sample_cut`` chooses: its documents lie at the front of each run
            # of the index (``_load``), so the pass reads a few stretches of the posting lists. It runs on
            # another thread while this one loads and highlights the hits.
            wanted = sample_cut(total, relation, searcher.num_docs, self.facet_sample_size)
            if pending is None or wanted != cut:  # the early pass (if any) was for another sample: let it finish
                cut, pending = wanted, self._facet_pass(searcher, plan, filters, wanted, aggregations)
        hits = []
        for score, address in result.hits:
            stored = searcher.doc(address).to_dict()
            hits.append(stored_hit({k: (v[0] if v else None) for k, v in stored.items()}, plan, score))
        facet_counts: dict[str, dict[str, int]] = {n: {} for n in names}
        aggs = pending.result() if pending is not None else None  # waited for even with no match
        if not total:
            cut = None
        elif aggs is not None:
            for n in names:
                facet_counts[n] = {_key(b["key"]): int(b["doc_count"]) for b in aggs.get(n, {}).get("buckets", [])}
            facet_counts = scaled_facets(facet_counts, cut)
        return SearchResult(total=total, hits=hits, facets=facet_counts, page=page, per_page=per_page,
                            total_relation=relation, facets_sampled=cut is not None)

    def _facet_pass(self, searcher, plan: QueryPlan, filters: dict | None, cut: int | None, aggregations: dict):
        """The facet aggregation over the matches (or the sample below ``cut``), started on the facet pool."""
        within = None if cut is None else tantivy.Query.range_query(
            self.schema, "sample", tantivy.FieldType.Integer, 0, cut, include_upper=False)
        counted = self._plan_query(plan, filters or {}, scoring=False, within=within)
        return _facet_pool(os.getpid()).submit(searcher.aggregate, counted, aggregations)

    def checksums(self) -> dict[str, str]:
        index = self._open()
        searcher = index.searcher()
        out: dict[str, str] = {}
        n = searcher.num_docs
        if not n:
            return out
        result = searcher.search(tantivy.Query.all_query(), n, count=False)
        for _score, address in result.hits:
            stored = searcher.doc(address).to_dict()
            out[stored["id"][0]] = (stored.get("checksum") or [""])[0]
        return out

    def checksums_of(self, doc_ids: list[str]) -> dict[str, str]:
        if not doc_ids:
            return {}
        searcher = self._open().searcher()
        result = searcher.search(tantivy.Query.term_set_query(self.schema, "id", list(doc_ids)), len(doc_ids),
                                 count=False)
        return self._id_checksums(searcher, result)

    def iter_ids(self, chunk: int = 1000) -> Iterator[list[str]]:
        """By sample key, so that one chunk is about ``num_docs / 1024`` ids (a few at a time per key)."""
        searcher = self._open().searcher()
        n = searcher.num_docs
        if not n:
            return
        keys_per_chunk = max(1, min(SAMPLE_BUCKETS, SAMPLE_BUCKETS * chunk // n))
        for lo in range(0, SAMPLE_BUCKETS, keys_per_chunk):
            query = tantivy.Query.range_query(self.schema, "sample", tantivy.FieldType.Integer, lo,
                                              lo + keys_per_chunk, include_upper=False)
            result = searcher.search(query, min(n, 4 * chunk), count=True)  # a collector sized for a chunk
            if result.count > len(result.hits):  # an unlucky range: collect all of it
                result = searcher.search(query, result.count, count=False)
            if result.hits:
                yield list(self._id_checksums(searcher, result))

    @staticmethod
    def _id_checksums(searcher, result) -> dict[str, str]:
        out = {}
        for _score, address in result.hits:
            stored = searcher.doc(address).to_dict()
            out[stored["id"][0]] = (stored.get("checksum") or [""])[0]
        return out

    def count(self) -> int:
        return self._open().searcher().num_docs


def _runs(docs: Iterable[dict], size: int) -> Iterator[list[dict]]:
    """``docs`` in lists of at most ``size`` (memory stays bounded while a stream is loaded)."""
    run: list[dict] = []
    for doc in docs:
        run.append(doc)
        if len(run) >= size:
            yield run
            run = []
    if run:
        yield run


def _key(value) -> str:
    """A facet bucket's key as text (Tantivy returns integer fields' keys as floats: 2024.0)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
