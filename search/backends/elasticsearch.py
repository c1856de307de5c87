"""The Elasticsearch backend (elasticsearch-py 9.x): one index for all families, a ``type`` keyword field,
behind an alias.

One index rather than one per family: every family shares the same fields (title, text, codes,
date, department, region, category), facets across families need one aggregation, and a rebuild
swaps one alias. The alias is ``INDEX`` (default ``zhunru``); concrete indices are
``<INDEX>-<timestamp>``. ``rebuild`` creates a new index, bulk-loads it, refreshes, moves the alias
in one ``_aliases`` call and drops the old index.

Documents and queries are normalised in Python first (``zhunru.search.analysis.normalize``: zero-width
and control characters, NFKC, traditional to simplified), so the searched fields ``search_title`` and
``search_text`` hold the normalised text while ``title`` and ``text`` keep what is displayed; hits are
highlighted in Python like the local backends' (the same fragments everywhere).

Chinese analysis needs no plugin: ``standard`` tokenizer + ``cjk_width`` + ``lowercase`` +
``cjk_bigram``, set on each text field (no index-level default analyzer), with a ``.uni`` sub-field
(standard tokenizer alone emits single ideographs) for one-character queries. When the cluster has
the IK or smartcn plugin, a ``.words`` sub-field with that analyzer is added and queried as an
extra signal; nothing depends on it.
"""

import logging
import time
from collections.abc import Callable, Iterable, Iterator

from django.utils.translation import gettext as _

from zhunru.search.analysis import QueryPlan, Term, normalize, normalize_code, tokenize, words
from zhunru.search.backends.base import (
    FACET_FIELDS,
    ProgressCallback,
    SearchBackend,
    SearchRejected,
    SearchResult,
    SearchUnavailable,
    document_words,
    sample_cut,
    sample_key,
    scaled_facets,
    stored_hit,
)

log = logging.getLogger(__name__)

BIGRAM = "zhunru_cjk_bigram"
UNIGRAM = "zhunru_cjk_unigram"
TITLE_BOOST, PHRASE_BOOST, CODE_BOOST, PROXIMITY_BOOST = 2.0, 4.0, 20.0, 0.5
WORD_BOOST = 0.5  # as the embedded backend's (SEGMENTATION)
# Analysis components a plugin-less Elasticsearch ships with (the static check in tests uses this).
BUILTIN_TOKENIZERS = {"standard", "keyword", "whitespace"}
BUILTIN_FILTERS = {"cjk_width", "lowercase", "cjk_bigram", "asciifolding"}
PLUGIN_ANALYZERS = {"analysis-ik": "ik_smart", "analysis-smartcn": "smartcn"}


def analysis_settings() -> dict:
    return {
        "analysis": {
            "analyzer": {
                BIGRAM: {"type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase", "cjk_bigram"]},
                UNIGRAM: {"type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase"]},
            },
        }
    }


def mappings(word_analyzer: str | None = None, segmentation: bool = False) -> dict:
    """Field mappings; ``word_analyzer`` (ik_smart / smartcn) only when the cluster was seen to have it;
    ``segmentation``: the word field, segmented in Python (rjieba) like the embedded backend's."""

    def text_field() -> dict:
        fields = {"uni": {"type": "text", "analyzer": UNIGRAM}}
        if word_analyzer:
            fields["words"] = {"type": "text", "analyzer": word_analyzer}
        return {"type": "text", "analyzer": BIGRAM, "fields": fields}

    keyword = {"type": "keyword"}
    return {
        "dynamic": False,
        "properties": {
            "id": keyword,
            "type": keyword,
            "category": keyword,
            "department": keyword,
            "region": keyword,
            "checksum": keyword,
            "codes": keyword,  # normalised (half-width, upper-case) in Python on both sides
            "year": {"type": "integer"},
            "sample": {"type": "integer"},  # facet sample key (base.sample_key)
            "date": {"type": "date", "format": "strict_date"},
            # title, text, summary, url ... stay unmapped ("dynamic": False): in _source, displayed, not indexed.
            "search_title": text_field(),
            "search_text": text_field(),
            **({"search_words": {"type": "text", "analyzer": "whitespace"}} if segmentation else {}),
        },
    }


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"
    requires = "elasticsearch"  # the client library: `pip install zhunru[es]`

    def __init__(self, params: dict, client=None):
        super().__init__(params)
        self.alias = params.get("INDEX") or "zhunru"
        self._client = client
        self._word_analyzer: str | None | bool = False  # False: not detected yet

    # --- connection -----------------------------------------------------------------------------

    @property
    def client(self):
        if self._client is None:
            from elasticsearch import Elasticsearch

            kwargs = dict(self.params.get("CLIENT_OPTIONS") or {})
            kwargs.setdefault("request_timeout", float(self.params.get("TIMEOUT", 10)))
            self._client = Elasticsearch(self.params["URL"], **kwargs)
        return self._client

    def _call(self, fn: Callable, *args, **kwargs):
        from elastic_transport import ConnectionError as TransportConnectionError
        from elastic_transport import ConnectionTimeout
        from elasticsearch import ApiError

        try:
            return fn(*args, **kwargs)
        except (TransportConnectionError, ConnectionTimeout) as exc:
            raise SearchUnavailable(_("无法连接检索服务：{exc}").format(exc=exc)) from exc
        except ApiError as exc:
            status = getattr(exc, "status_code", None)
            if status == 404:
                raise  # a missing index or document: callers decide what that means
            if status == 429 or (isinstance(status, int) and status >= 500):
                raise SearchUnavailable(_("检索服务暂不可用：{exc}").format(exc=exc)) from exc
            # Any other 4xx (a too deep page, a query or mapping the cluster refuses, a permission
            # problem): a typed error the API and the outbox answer, never a bare ApiError (a 500).
            log.error("检索服务拒绝了请求（HTTP %s）：%s", status, exc)
            raise SearchRejected(_("检索服务拒绝了请求（HTTP {status}）：{exc}").format(status=status, exc=exc), status=status) from exc

    def word_analyzer(self) -> str | None:
        """ik_smart or smartcn when the cluster has the plugin; None otherwise (never required)."""
        if self._word_analyzer is False:
            found = None
            try:
                info = self.client.nodes.info(metric="plugins")
                names = {p.get("name") for node in info.get("nodes", {}).values() for p in node.get("plugins", [])}
                for plugin, analyzer in PLUGIN_ANALYZERS.items():
                    if plugin in names:
                        found = analyzer
                        break
            except Exception:
                found = None
            self._word_analyzer = found
        return self._word_analyzer or None

    def _create_index(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 1_000_000:06d}"
        self._call(self.client.indices.create, index=name, settings={"number_of_shards": 1, **analysis_settings()},
                   mappings=mappings(self.word_analyzer(), self.segmentation))
        return name

    def _alias_targets(self) -> list[str]:
        from elasticsearch import NotFoundError

        try:
            return list(self._call(self.client.indices.get_alias, name=self.alias).body)
        except NotFoundError:
            return []

    def ensure_index(self) -> None:
        """Create the first index behind the alias if there is none."""
        if not self._alias_targets():
            name = self._create_index()
            self._call(self.client.indices.put_alias, index=name, name=self.alias)

    # --- writes ---------------------------------------------------------------------------------

    def _source(self, doc: dict) -> dict:
        src = {k: v for k, v in doc.items() if v not in (None, "", [])}
        src["codes"] = [normalize_code(c) for c in doc.get("codes") or ()]
        src["sample"] = sample_key(doc["id"])
        # Like the embedded backend: the summary is searched (and highlighted) as part of the text.
        src["text"] = " ".join(filter(None, [doc.get("summary"), doc.get("text")]))
        src["search_title"] = normalize(doc.get("title") or "")
        src["search_text"] = normalize(src["text"])
        if self.segmentation:
            src["search_words"] = document_words(doc)
        return src

    def index_document(self, doc: dict) -> None:
        self.ensure_index()
        self._call(self.client.index, index=self.alias, id=doc["id"], document=self._source(doc), refresh=True)

    def delete_document(self, doc_id: str) -> None:
        from elasticsearch import NotFoundError

        self.ensure_index()
        try:
            self._call(self.client.delete, index=self.alias, id=doc_id, refresh=True)
        except NotFoundError:
            pass

    def _bulk(self, index: str, docs: Iterable[dict], progress: ProgressCallback | None, total: int) -> int:
        from elasticsearch.helpers import streaming_bulk

        actions = ({"_index": index, "_id": d["id"], "_source": self._source(d)} for d in docs)
        n = 0

        def run() -> int:
            nonlocal n
            for ok, item in streaming_bulk(self.client, actions, chunk_size=500, raise_on_error=False):
                if not ok:
                    log.error("批量索引失败：%s", item)
                n += 1
                if progress and n % 500 == 0:
                    progress(n, total)
            return n

        self._call(run)
        if progress:
            progress(n, total or n)
        return n

    def bulk_index(self, docs: Iterable[dict], progress: ProgressCallback | None = None) -> int:
        self.ensure_index()
        n = self._bulk(self.alias, docs, progress, 0)
        self._call(self.client.indices.refresh, index=self.alias)
        return n

    def rebuild(self, docs: Iterable[dict], total: int | None = None, progress: ProgressCallback | None = None,
                before_swap: Callable[[], None] | None = None) -> int:
        new = self._create_index()
        try:
            n = self._bulk(new, docs, progress, total or 0)
            self._call(self.client.indices.refresh, index=new)
        except BaseException:
            self.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        if before_swap:
            before_swap()
        old = self._alias_targets()
        actions = [{"remove": {"index": o, "alias": self.alias}} for o in old] + [
            {"add": {"index": new, "alias": self.alias}}
        ]
        self._call(self.client.indices.update_aliases, actions=actions)  # atomic: readers see old, then new
        for o in old:
            self._call(self.client.indices.delete, index=o, ignore_unavailable=True)
        return n

    # --- reads ----------------------------------------------------------------------------------

    def _term_query(self, term: Term) -> dict:
        should: list[dict] = []
        for form in term.forms:
            text = normalize(form)
            if term.single_char:
                should += [{"match": {"search_title.uni": {"query": text, "boost": TITLE_BOOST}}},
                           {"match": {"search_text.uni": {"query": text}}}]
                continue
            tokens = tokenize(form)
            if not tokens:
                continue
            for field, boost in (("search_title", TITLE_BOOST), ("search_text", 1.0)):
                should.append({"match": {field: {"query": text, "operator": "and", "boost": boost}}})
                if len(tokens) > 1:
                    should.append({"match_phrase": {field: {"query": text, "boost": boost * PHRASE_BOOST}}})
        if term.code:
            should.append({"term": {"codes": {"value": normalize_code(term.code), "boost": CODE_BOOST}}})
        return {"bool": {"should": should, "minimum_should_match": 1}}

    def search(self, plan: QueryPlan, filters: dict | None = None, page: int = 1, per_page: int = 10,
               facets: Iterable[str] = FACET_FIELDS) -> SearchResult:
        from elasticsearch import NotFoundError

        must = [self._term_query(t) for t in plan.terms]
        if plan.optional:  # a sentence: ranked OR over its units (see QueryPlan)
            must.append({"bool": {"should": [self._term_query(t) for t in plan.optional],
                                  "minimum_should_match": plan.minimum_should_match}})
        boosts = [{"match_phrase": {field: {"query": phrase, "boost": boost * PROXIMITY_BOOST}}}
                  for phrase in plan.phrases
                  for field, boost in (("search_title", TITLE_BOOST), ("search_text", 1.0))]
        # Words only raise a score, never decide a match (a word's bigrams need not be the query's): the
        # cluster's own word analyzer (IK / smartcn) when it has one, the word field when SEGMENTATION is on.
        if not plan.empty and self.word_analyzer():
            boosts += [{"match": {f"{field}.words": {"query": normalize(plan.text), "boost": 0.1 * boost}}}
                       for field, boost in (("search_title", TITLE_BOOST), ("search_text", 1.0))]
        if not plan.empty and self.segmentation and (query_words := words(plan.text)):
            boosts.append({"match": {"search_words": {"query": " ".join(dict.fromkeys(query_words)),
                                                      "boost": WORD_BOOST}}})
        filter_clauses = []
        for name, value in (filters or {}).items():
            if value in (None, ""):
                continue
            values = list(value) if isinstance(value, list | tuple) else [value]
            filter_clauses.append({"terms": {name: values}})
        query = {"bool": {"must": must or [{"match_all": {}}], "filter": filter_clauses}}
        if boosts:
            query["bool"]["should"] = boosts
        names = list(facets)
        body = {
            "query": query,
            "from": (page - 1) * per_page,
            "size": per_page,
            # Exact up to the threshold, then "gte": the cluster stops counting (and may skip) beyond it.
            "track_total_hits": self.total_hits_threshold,
        }
        if plan.empty:
            body["sort"] = [{"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
        empty = SearchResult(total=0, hits=[], facets={n: {} for n in names}, page=page, per_page=per_page)
        try:
            res = self._call(self.client.search, index=self.alias, **body)
        except NotFoundError:
            return empty
        # ``text`` already holds the summary (see _source): highlight it once.
        hits = [stored_hit({**h["_source"], "summary": ""}, plan, h.get("_score") or 0.0) for h in res["hits"]["hits"]]
        found = res["hits"]["total"]
        if isinstance(found, dict):
            total, relation = self.capped(int(found["value"]))
            relation = "gte" if found.get("relation") == "gte" else relation
        else:
            total, relation = self.capped(int(found))
        facet_counts, cut = {n: {} for n in names}, None
        if names and total:
            facet_counts, cut = self._facets(query, names, total, relation)
        return SearchResult(total=total, hits=hits, facets=facet_counts, page=page, per_page=per_page,
                            total_relation=relation, facets_sampled=cut is not None)

    def _facets(self, query: dict, names: list[str], total: int, relation: str) -> tuple[dict, int | None]:
        """Facet counts over every match, or over the sample ``base.sample_cut`` chooses (unscored, no hits)."""
        num_docs = self.count() if relation == "gte" else total
        cut = sample_cut(total, relation, num_docs, self.facet_sample_size)
        counted = {"bool": {"filter": [query] + ([{"range": {"sample": {"lt": cut}}}] if cut is not None else [])}}
        res = self._call(self.client.search, index=self.alias, query=counted, size=0, track_total_hits=False,
                         aggs={n: {"terms": {"field": n, "size": 50}} for n in names})
        aggs = res.get("aggregations", {})
        counts = {n: {str(b["key"]): int(b["doc_count"]) for b in aggs.get(n, {}).get("buckets", [])}
                  for n in names}
        return scaled_facets(counts, cut), cut

    def checksums(self) -> dict[str, str]:
        return {doc_id: checksum for chunk in self._scan_chunks(1000) for doc_id, checksum in chunk.items()}

    def checksums_of(self, doc_ids: list[str]) -> dict[str, str]:
        from elasticsearch import NotFoundError

        if not doc_ids:
            return {}
        try:
            res = self._call(self.client.search, index=self.alias, query={"terms": {"id": list(doc_ids)}},
                             size=len(doc_ids), _source=["id", "checksum"], track_total_hits=False)
        except NotFoundError:
            return {}
        return {h["_source"]["id"]: h["_source"].get("checksum", "") for h in res["hits"]["hits"]}

    def iter_ids(self, chunk: int = 1000) -> Iterator[list[str]]:
        for ids in self._scan_chunks(chunk):
            yield list(ids)

    def _scan_chunks(self, chunk: int) -> Iterator[dict[str, str]]:
        """``{id: checksum}`` of every document, ``chunk`` at a time (a scroll: one page in memory)."""
        from elasticsearch import NotFoundError
        from elasticsearch.helpers import scan

        hits = scan(self.client, index=self.alias, query={"query": {"match_all": {}}}, size=chunk,
                    _source=["id", "checksum"])
        out: dict[str, str] = {}
        try:
            while True:
                h = self._call(next, hits, None)
                if h is None:
                    break
                out[h["_source"]["id"]] = h["_source"].get("checksum", "")
                if len(out) >= chunk:
                    yield out
                    out = {}
        except NotFoundError:
            return
        if out:
            yield out

    def count(self) -> int:
        from elasticsearch import NotFoundError

        try:
            return int(self._call(self.client.count, index=self.alias)["count"])
        except NotFoundError:
            return 0

    def health(self) -> dict:
        try:
            info = self.client.info()
            return {"ok": True, "backend": self.name, "documents": self.count(), "alias": self.alias,
                    "indices": self._alias_targets(), "version": info["version"]["number"],
                    "word_analyzer": self.word_analyzer()}
        except Exception as exc:  # health never raises
            return {"ok": False, "backend": self.name, "alias": self.alias, "error": str(exc)}

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
