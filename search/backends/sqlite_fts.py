"""The dependency-free fallback: SQLite FTS5 over the same CJK bigrams, with Python's ``sqlite3`` only.

Text is analysed in Python (``zhunru.search.analysis``) and stored pre-tokenized in FTS5 columns behind
the ``ascii`` tokenizer with ``.`` and ``_`` as token characters: every non-ASCII character is a
token character there, so for this text it splits on spaces only and FTS5 indexes exactly the
tokens the embedded backend indexes. A code (事项编码, USCC, document number) is one more token
in a third column, ``c`` + the hex of the normalised code, so a code lookup is part of the same
MATCH expression and bm25 weighs it like the other backends' code boost. Filter and facet values
live in a narrow ``facets`` table and the stored fields in ``docs``, both sharing the FTS rowid;
the total and facet counts come from one GROUP BY over at most FACET_SAMPLE_SIZE + 1 matches; beyond
that, the total is counted up to the threshold (a LIMIT) and the facets over the sample of the matches
``base.sample_cut`` chooses.

Ranking is FTS5's bm25 (title 2, text 1, codes 20). The exact phrase of a multi-bigram term is
OR'ed in as one more phrase: it changes no match, but bm25 counts it, so documents containing
the phrase rank first. A single-character term matches every indexed token that contains the
character (looked up in an ``fts5vocab`` table), as the embedded backend's regex over its term
dictionary does.

Each generation (see :mod:`zhunru.search.backends.directory`: ``CURRENT`` pointer, atomic rebuilds,
the writer lock across processes) is one ``index.sqlite3`` in WAL mode, so readers never wait
for the writer.
"""

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _

from zhunru.search.analysis import QueryPlan, Term, analyzed, fold, normalize_code, tokenize
from zhunru.search.backends.base import (
    FACET_FIELDS,
    FILTER_FIELDS,
    KEYWORD_FIELDS,
    STORED_FIELDS,
    ProgressCallback,
    SearchResult,
    SearchUnavailable,
    sample_cut,
    sample_key,
    scaled_facets,
    sort_date,
    stored_hit,
)
from zhunru.search.backends.directory import PROGRESS_EVERY, DirectoryBackend

DB_NAME = "index.sqlite3"
TITLE_WEIGHT, TEXT_WEIGHT, CODE_WEIGHT = 2.0, 1.0, 20.0
RANK = f"-bm25(fts, {TITLE_WEIGHT}, {TEXT_WEIGHT}, {CODE_WEIGHT})"
# ``facets`` is narrow on purpose (filters and facet counts join every match to it); ``docs`` holds
# what only the hits of one page need. Both share the FTS rowid.
FACET_COLUMNS = tuple(FACET_FIELDS) + ("sort_date", "sample")
DOC_COLUMNS = ("id", "checksum") + tuple(f for f in KEYWORD_FIELDS + STORED_FIELDS
                                          if f not in FACET_FIELDS and f not in ("id", "checksum"))
SCHEMA = f"""
CREATE TABLE docs (rowid INTEGER PRIMARY KEY, {", ".join(f"{c} TEXT" for c in DOC_COLUMNS)}, UNIQUE (id));
CREATE TABLE facets (rowid INTEGER PRIMARY KEY, {", ".join(
    f"{c} INTEGER" if c in ("year", "sort_date", "sample") else f"{c} TEXT" for c in FACET_COLUMNS)});
CREATE INDEX facets_newest ON facets (sort_date DESC, rowid);
CREATE VIRTUAL TABLE fts USING fts5(title_t, text_t, codes_t, tokenize="ascii tokenchars '._'");
CREATE VIRTUAL TABLE vocab USING fts5vocab(fts, row);
"""
INSERTS = tuple(
    f"INSERT INTO {table} (rowid, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))})"
    for table, columns in (("docs", DOC_COLUMNS), ("facets", FACET_COLUMNS),
                           ("fts", ("title_t", "text_t", "codes_t")))
)
MATCHES = "fts JOIN facets f ON f.rowid = fts.rowid"


def code_token(code: str) -> str:
    """One FTS token per code, whatever its characters (〔〕, dashes, slashes)."""
    return "c" + normalize_code(code).encode().hex()


def quoted(text: str) -> str:
    """An FTS5 string (a token, or a phrase when it holds several): never query syntax."""
    return '"' + text.replace('"', '""') + '"'


def rows(doc: dict, rowid: int) -> tuple[tuple, tuple, tuple]:
    """The ``docs``, ``facets`` and ``fts`` rows of one document; empty values are stored as NULL."""
    values = {name: doc.get(name) or None for name in KEYWORD_FIELDS + STORED_FIELDS}
    values["year"] = int(doc["year"]) if doc.get("year") else None
    values["sort_date"] = sort_date(doc)
    values["sample"] = sample_key(doc["id"])
    text = " ".join(filter(None, [doc.get("summary"), doc.get("text")]))
    codes = " ".join(code_token(str(c)) for c in doc.get("codes") or () if c)
    return ((rowid, *(values[c] for c in DOC_COLUMNS)), (rowid, *(values[c] for c in FACET_COLUMNS)),
            (rowid, analyzed(doc.get("title", "")), analyzed(text), codes))


def chunks(docs: Iterable[dict], size: int) -> Iterator[list[dict]]:
    it = iter(docs)
    while chunk := list(islice(it, size)):
        yield chunk


def facet_count_rows(combos: list, names: list[str], size: int = 50) -> dict[str, dict[str, int]]:
    """Per-facet counts (the ``size`` largest) from rows of (facet values in FACET_FIELDS order..., count)."""
    out = {}
    for name in names:
        i = FACET_FIELDS.index(name)
        counts: dict[str, int] = {}
        for row in combos:
            if row[i] is not None:
                counts[str(row[i])] = counts.get(str(row[i]), 0) + row[-1]
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size])
    return out


@contextmanager
def unavailable_on_error():
    """SQLite errors (a locked or missing file, a full disk) are an unavailable search service."""
    try:
        yield
    except sqlite3.Error as exc:
        raise SearchUnavailable(_("检索索引（SQLite）不可用：{exc}").format(exc=exc)) from exc


class SqliteFtsBackend(DirectoryBackend):
    """``ZHUNRU_SEARCH = {"BACKEND": "zhunru.search.backends.sqlite_fts.SqliteFtsBackend", "PATH": ...}``."""

    name = "sqlite_fts"

    def __init__(self, params: dict):
        super().__init__(params)
        self._local = threading.local()
        self._open_connections: list[sqlite3.Connection] = []

    # --- connections ----------------------------------------------------------------------------

    def _connect(self, path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(path / DB_NAME, timeout=self.lock_timeout, isolation_level=None,
                               check_same_thread=False)  # used by one thread; closed by any (close())
        conn.row_factory = sqlite3.Row
        return conn

    def _create(self, path: Path) -> None:
        conn = self._connect(path)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(SCHEMA)
        finally:
            conn.close()

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection to the live generation, reopened when ``CURRENT`` moved."""
        name = self._ensure_current()
        local = self._local
        if getattr(local, "name", None) != name:
            if getattr(local, "conn", None) is not None:
                self._close(local.conn)
            local.conn = self._connect(self.root / name)
            local.name = name
            with self._mutex:
                self._open_connections.append(local.conn)
        return local.conn

    def _close(self, conn: sqlite3.Connection) -> None:
        with self._mutex:
            if conn in self._open_connections:
                self._open_connections.remove(conn)
        conn.close()

    def close(self) -> None:
        with self._mutex:
            conns, self._open_connections = self._open_connections, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction on the live index, under the writer lock."""
        with unavailable_on_error(), self._write_lock():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- writes ---------------------------------------------------------------------------------

    @staticmethod
    def _remove(conn: sqlite3.Connection, doc_ids: list[str]) -> None:
        marks = ", ".join("?" * len(doc_ids))
        found = [r[0] for r in conn.execute(f"SELECT rowid FROM docs WHERE id IN ({marks})", doc_ids)]
        if found:
            marks = ", ".join("?" * len(found))
            for table in ("fts", "facets", "docs"):
                conn.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", found)

    def _write(self, conn: sqlite3.Connection, docs: Iterable[dict], progress: ProgressCallback | None,
               total: int) -> int:
        """Add or replace ``docs`` (the last of equal ids wins) inside the caller's transaction."""
        rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM docs").fetchone()[0]
        n = 0
        for chunk in chunks(docs, PROGRESS_EVERY):
            latest = {doc["id"]: doc for doc in chunk}
            self._remove(conn, list(latest))
            triples = [rows(doc, rowid + i) for i, doc in enumerate(latest.values(), start=1)]
            rowid += len(triples)
            for sql, values in zip(INSERTS, zip(*triples, strict=True), strict=True):
                conn.executemany(sql, values)
            n += len(chunk)
            if progress and len(chunk) == PROGRESS_EVERY:
                progress(n, total)
        return n

    def index_document(self, doc: dict) -> None:
        with self._transaction() as conn:
            self._write(conn, [doc], None, 0)

    def delete_document(self, doc_id: str) -> None:
        with self._transaction() as conn:
            self._remove(conn, [doc_id])

    def delete_documents(self, doc_ids: list[str]) -> None:
        with self._transaction() as conn:
            self._remove(conn, list(doc_ids))

    def bulk_index(self, docs: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        with self._transaction() as conn:
            return self._write(conn, docs, progress, 0)

    def _load(self, path: Path, docs: Iterable[dict], total: int, progress: ProgressCallback | None) -> int:
        conn = self._connect(path)  # a private generation: no lock, no durability needed until the swap
        try:
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("BEGIN")
            n = self._write(conn, docs, progress, total)
            conn.execute("COMMIT")
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')")  # one b-tree per term: faster queries
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return n
        finally:
            conn.close()

    # --- reads ----------------------------------------------------------------------------------

    def _term_match(self, conn: sqlite3.Connection, term: Term) -> str:
        """The FTS5 expression of one term (any of its forms, or its code); empty when nothing can match."""
        alternatives = []
        for form in term.forms:
            if term.single_char:
                char = fold(form)
                found = [r[0] for r in conn.execute(
                    "SELECT term FROM vocab WHERE instr(term, ?) > 0 AND length(term) <= 3", (char,))]
                if found:
                    alternatives.append("{title_t text_t} : (" + " OR ".join(map(quoted, found)) + ")")
                continue
            tokens = tokenize(form)
            if len(tokens) == 1:
                alternatives.append("{title_t text_t} : " + quoted(tokens[0]))
            elif tokens:  # every bigram in the same field, as in the other backends; the phrase ranks
                every = " AND ".join(quoted(t) for t in dict.fromkeys(tokens))
                alternatives += [f"title_t : ({every})", f"text_t : ({every})",
                                 "{title_t text_t} : " + quoted(" ".join(tokens))]
        if term.code:
            alternatives.append("codes_t : " + quoted(code_token(term.code)))
        return " OR ".join(alternatives)

    @staticmethod
    def _filter_sql(filters: dict) -> tuple[list[str], list]:
        clauses, params = [], []
        for name, value in (filters or {}).items():
            if value in (None, ""):
                continue
            if name not in FILTER_FIELDS:
                raise ValueError(f"unknown search filter: {name}")
            values = list(value) if isinstance(value, list | tuple) else [value]
            if name == "year":
                values = [int(v) for v in values]
            else:
                values = [str(v) for v in values]
            clauses.append(f"f.{name} IN ({', '.join('?' * len(values))})")
            params += values
        return clauses, params

    def search(self, plan: QueryPlan, filters: dict | None = None, page: int = 1, per_page: int = 10,
               facets: Iterable[str] = FACET_FIELDS) -> SearchResult:
        names = list(facets)
        if set(names) - set(FACET_FIELDS):
            raise ValueError(f"unknown search facets: {sorted(set(names) - set(FACET_FIELDS))}")
        empty = SearchResult(total=0, hits=[], facets={n: {} for n in names}, page=page, per_page=per_page)
        with unavailable_on_error():
            conn = self._conn()
            where, params = self._filter_sql(filters or {})
            if plan.empty:
                matches = ranked = "facets f"
                key, score, order = "f.rowid", "0.0", "f.sort_date DESC, f.rowid"
            else:
                terms = [self._term_match(conn, t) for t in plan.terms]
                units = [u for u in (self._term_match(conn, t) for t in plan.optional) if u]
                if not all(terms) or len(units) < plan.minimum_should_match:
                    return empty
                if units:  # a sentence: any unit (or piece) selects, the count below keeps enough of them
                    pieces = ["{title_t text_t} : " + quoted(" ".join(tokenize(p))) for p in plan.phrases]
                    terms.append(" OR ".join(units + pieces))
                    counted = " + ".join(["(fts.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?))"] * len(units))
                    where.insert(0, f"({counted}) >= ?")
                    params[:0] = [*units, plan.minimum_should_match]
                where.insert(0, "fts MATCH ?")
                params.insert(0, " AND ".join(f"({t})" for t in terms))
                matches = MATCHES
                ranked = MATCHES if len(where) > 1 else "fts"  # filters need the facets table
                key, score, order = "fts.rowid", RANK, "score DESC, fts.rowid"
            condition = f" WHERE {' AND '.join(where)}" if where else ""
            columns = ", ".join(FACET_FIELDS)
            size = self.facet_sample_size
            # One bounded pass first: the facet values of at most size + 1 matches. Few matches (the usual
            # case) give the exact total and exact facets at once; more are counted (up to the threshold)
            # and their facets taken from the sample ``sample_cut`` chooses.
            combos = conn.execute(
                f"SELECT {columns}, count(*) FROM (SELECT {', '.join(f'f.{n} AS {n}' for n in FACET_FIELDS)} "
                f"FROM {matches}{condition} LIMIT ?) GROUP BY {columns}", [*params, size + 1]).fetchall()
            seen = sum(row[-1] for row in combos)
            if not seen:
                return empty
            if seen <= size:
                total, relation = self.capped(seen)
            else:
                total, relation = self.capped(conn.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {matches}{condition} LIMIT ?)",
                    [*params, self.total_hits_threshold + 1]).fetchone()[0])
            cut = sample_cut(total, relation, self.count() if relation == "gte" else total, size)
            if cut is not None and names:  # else every match is among the combinations already read
                combos = conn.execute(
                    f"SELECT {', '.join(f'f.{n}' for n in FACET_FIELDS)}, count(*) FROM {matches}{condition}"
                    f"{' AND' if where else ' WHERE'} f.sample < {int(cut)} "
                    f"GROUP BY {', '.join(f'f.{n}' for n in FACET_FIELDS)}", params).fetchall()
            facet_counts = scaled_facets({n: {} for n in names} | facet_count_rows(combos, names), cut)
            page_scores = conn.execute(
                f"SELECT {key}, {score} AS score FROM {ranked}{condition} ORDER BY {order} "
                "LIMIT ? OFFSET ?", [*params, per_page, (page - 1) * per_page],
            ).fetchall()
            stored = {row["rowid"]: dict(row) for row in conn.execute(
                "SELECT d.rowid, d.*, f.* FROM docs d JOIN facets f ON f.rowid = d.rowid "
                f"WHERE d.rowid IN ({', '.join('?' * len(page_scores))})", [r[0] for r in page_scores])}
        hits = [stored_hit(stored[rowid], plan, score) for rowid, score in page_scores]
        return SearchResult(total=total, hits=hits, facets=facet_counts, page=page, per_page=per_page,
                            total_relation=relation, facets_sampled=cut is not None)

    def checksums(self) -> dict[str, str]:
        with unavailable_on_error():
            return {row[0]: row[1] or "" for row in self._conn().execute("SELECT id, checksum FROM docs")}

    def checksums_of(self, doc_ids: list[str]) -> dict[str, str]:
        if not doc_ids:
            return {}
        with unavailable_on_error():
            return {row[0]: row[1] or "" for row in self._conn().execute(
                f"SELECT id, checksum FROM docs WHERE id IN ({', '.join('?' * len(doc_ids))})", list(doc_ids))}

    def iter_ids(self, chunk: int = 1000) -> Iterator[list[str]]:
        """By rowid ranges (keyset), a chunk at a time."""
        last = 0
        while True:
            with unavailable_on_error():
                rows = self._conn().execute("SELECT rowid, id FROM docs WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                            (last, chunk)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield [r[1] for r in rows]

    def count(self) -> int:
        with unavailable_on_error():
            return self._conn().execute("SELECT count(*) FROM docs").fetchone()[0]
