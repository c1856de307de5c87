"""The embedded backend: a Tantivy index in a local directory, no server needed.

Text is analysed in Python (``search.analysis``: width folding, lowercase, CJK bigrams) and
stored pre-tokenized behind Tantivy's whitespace tokenizer, because the Python bindings have no
``cjk_bigram`` filter. The live index is the directory named in ``CURRENT``; a rebuild writes a
new directory and swaps the pointer (``os.replace``), so readers never see a half-built index.
Every write holds an exclusive ``fcntl`` lock on ``writer.lock``, so two processes (web, worker,
a rebuild command) never write at once.
"""

import fcntl
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

import tantivy

from search.analysis import QueryPlan, Term, analyzed, normalize_code, tokenize
from search.backends.base import (
    FACET_FIELDS,
    Hit,
    ProgressCallback,
    SearchBackend,
    SearchResult,
    SearchUnavailable,
    highlight,
)

log = logging.getLogger(__name__)

KEYWORDS = ("id", "type", "category", "department", "region", "checksum")
STORED = ("type_label", "title", "summary", "text", "url", "date")
TITLE_BOOST, PHRASE_BOOST, CODE_BOOST = 2.0, 4.0, 20.0
WRITER_HEAP = 64_000_000


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for name in KEYWORDS:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", fast=name != "checksum")
    sb.add_text_field("codes", stored=True, tokenizer_name="raw")
    sb.add_integer_field("year", stored=True, indexed=True, fast=True)
    sb.add_integer_field("sort_date", indexed=False, fast=True)
    for name in STORED:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("title_t", tokenizer_name="whitespace")
    sb.add_text_field("text_t", tokenizer_name="whitespace")
    return sb.build()


def to_tantivy(doc: dict) -> tantivy.Document:
    d = tantivy.Document()
    for name in KEYWORDS:
        if doc.get(name):
            d.add_text(name, str(doc[name]))
    for code in doc.get("codes") or ():
        if code:
            d.add_text("codes", normalize_code(str(code)))
    if doc.get("year"):
        d.add_integer("year", int(doc["year"]))
    d.add_integer("sort_date", int((doc.get("date") or "0").replace("-", "")[:8] or 0))
    for name in STORED:
        if doc.get(name):
            d.add_text(name, str(doc[name]))
    d.add_text("title_t", analyzed(doc.get("title", "")))
    d.add_text("text_t", analyzed(" ".join(filter(None, [doc.get("summary", ""), doc.get("text", "")]))))
    return d


class EmbeddedBackend(SearchBackend):
    name = "embedded"

    def __init__(self, params: dict):
        super().__init__(params)
        self.root = Path(params["PATH"])
        self.root.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.lock_timeout = float(params.get("LOCK_TIMEOUT", 60))
        self._mutex = threading.RLock()
        self._index: tantivy.Index | None = None
        self._index_dir: str | None = None
        self._lock_depth = 0

    # --- index directories ----------------------------------------------------------------------

    def _current_name(self) -> str | None:
        try:
            return (self.root / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _new_dir(self) -> Path:
        path = self.root / f"index-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        path.mkdir(parents=True)
        tantivy.Index(self.schema, path=str(path))
        return path

    def _set_current(self, path: Path) -> None:
        tmp = self.root / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(path.name)
        os.replace(tmp, self.root / "CURRENT")

    def _ensure_current(self) -> str:
        name = self._current_name()
        if name and (self.root / name).exists():
            return name
        with self._write_lock():
            name = self._current_name()
            if name and (self.root / name).exists():
                return name
            path = self._new_dir()
            self._set_current(path)
            return path.name

    def _open(self) -> tantivy.Index:
        """The live index, reopened when another process swapped ``CURRENT``."""
        with self._mutex:
            name = self._ensure_current()
            if self._index is None or self._index_dir != name:
                self._index = tantivy.Index(self.schema, path=str(self.root / name))
                self._index_dir = name
            else:
                self._index.reload()
            return self._index

    @contextmanager
    def _write_lock(self):
        """An exclusive lock across processes (re-entrant in a thread); waits up to LOCK_TIMEOUT."""
        with self._mutex:
            if self._lock_depth:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return
            fd = os.open(self.root / "writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
            deadline = time.monotonic() + self.lock_timeout
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise SearchUnavailable("检索索引正被其他进程写入，请稍后重试。")
                        time.sleep(0.05)
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
            finally:
                os.close(fd)  # closing releases the flock

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
            w.add_document(to_tantivy(doc))

    def delete_document(self, doc_id: str) -> None:
        with self._writer() as w:
            w.delete_documents_by_term("id", doc_id)

    def bulk_index(self, docs: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        n = 0
        with self._writer() as w:
            for doc in docs:
                w.delete_documents_by_term("id", doc["id"])
                w.add_document(to_tantivy(doc))
                n += 1
                if progress and n % 1000 == 0:
                    progress(n, 0)
        return n

    def rebuild(self, docs: Iterable[dict], total: int | None = None, progress: ProgressCallback | None = None,
                before_swap: Callable[[], None] | None = None) -> int:
        path = self._new_dir()
        index = tantivy.Index(self.schema, path=str(path))
        n = 0
        writer = index.writer(WRITER_HEAP * 2, 1)  # a private directory: no lock needed while loading
        try:
            for doc in docs:
                writer.add_document(to_tantivy(doc))
                n += 1
                if progress and n % 1000 == 0:
                    progress(n, total or 0)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            del writer
            shutil.rmtree(path, ignore_errors=True)
            raise
        del writer
        if progress:
            progress(n, total or n)
        if before_swap:
            before_swap()
        with self._write_lock():
            old = self._current_name()
            self._set_current(path)
            self._index, self._index_dir = None, None
        if old and old != path.name:
            shutil.rmtree(self.root / old, ignore_errors=True)
        return n

    # --- reads ----------------------------------------------------------------------------------

    def _term_query(self, term: Term) -> tantivy.Query:
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
                if len(tokens) > 1:
                    clauses.append(tantivy.Query.boost_query(
                        tantivy.Query.phrase_query(self.schema, fname, tokens), boost * PHRASE_BOOST))
        if term.code:
            clauses.append(tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, "codes", normalize_code(term.code)), CODE_BOOST))
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in clauses])

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
        must = [self._term_query(t) for t in plan.terms] + self._filter_query(filters or {})
        if not must:
            query = tantivy.Query.all_query()
        else:
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])
        offset = (page - 1) * per_page
        if plan.empty:
            result = searcher.search(query, per_page, count=True, offset=offset, order_by_field="sort_date")
        else:
            result = searcher.search(query, per_page, count=True, offset=offset)
        hits = []
        for score, address in result.hits:
            stored = searcher.doc(address).to_dict()
            first = {k: (v[0] if v else None) for k, v in stored.items()}
            fragments = highlight(first.get("title") or "", plan) + highlight(
                " ".join(filter(None, [first.get("summary"), first.get("text")])), plan
            )
            hits.append(Hit(
                id=first["id"], type=first.get("type") or "", type_label=first.get("type_label") or "",
                title=first.get("title") or "", url=first.get("url") or "", date=first.get("date"),
                department=first.get("department") or "", region=first.get("region") or "",
                category=first.get("category") or "", score=float(score) if not plan.empty else 0.0,
                highlights=fragments[:3],
            ))
        facet_counts: dict[str, dict[str, int]] = {}
        names = list(facets)
        if names and result.count:
            aggs = searcher.aggregate(query, {n: {"terms": {"field": n, "size": 50}} for n in names})
            for n in names:
                facet_counts[n] = {str(b["key"]): int(b["doc_count"]) for b in aggs.get(n, {}).get("buckets", [])}
        else:
            facet_counts = {n: {} for n in names}
        return SearchResult(total=int(result.count or 0), hits=hits, facets=facet_counts, page=page, per_page=per_page)

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

    def count(self) -> int:
        return self._open().searcher().num_docs

    def health(self) -> dict:
        try:
            return {"ok": True, "backend": self.name, "documents": self.count(), "path": str(self.root),
                    "index": self._index_dir}
        except Exception as exc:  # health never raises
            return {"ok": False, "backend": self.name, "error": str(exc), "path": str(self.root)}

    def info(self) -> str:
        return json.dumps(self.health(), ensure_ascii=False)
