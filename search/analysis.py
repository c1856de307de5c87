"""Chinese analysis shared by every backend: normalisation, CJK bigrams, query plans.

:func:`normalize` runs first, on documents and queries alike, before tokenizing and before code
detection: NFKC (full-width letters and digits to half-width), zero-width and control characters
removed, traditional to simplified characters (OpenCC's ``t2s`` tables, via the pure-Python
``opencc-python-reimplemented``), lowercase. Tantivy's Python bindings have no ``cjk_bigram`` filter,
so the embedded and SQLite backends index the tokens produced here (whitespace-joined);
Elasticsearch indexes the normalised text with its built-in ``standard`` tokenizer + ``cjk_width`` +
``lowercase`` + ``cjk_bigram``. The query side of every backend starts from :func:`plan_query`, so
synonyms and code detection behave the same.
"""

import functools
import math
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from zhunru.text import strip_invisible

# CJK ideographs (unified + extension A + compatibility), kana and hangul are bigrammed like
# Lucene's StandardTokenizer + CJKBigramFilter do.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|([0-9a-z\u00c0-\u024f]+(?:[._][0-9a-z\u00c0-\u024f]+)*)")
_CJK_CHAR_RE = re.compile(rf"[{_CJK}]")
# Codes: 事项编码, USCC (18 chars), register numbers, document numbers such as 发改体改规〔2022〕397号.
_CODE_RE = re.compile(r"^(?=.*\d)[0-9A-Za-z\-_/.〔〕\[\]()（）\u4e00-\u9fff]{4,60}$")


@functools.cache
def _t2s():
    """(converter, regex of the characters it changes) or None when no OpenCC package is installed."""
    try:
        from opencc import OpenCC

        try:
            converter = OpenCC("t2s")
        except Exception:  # the C++ binding names its configurations with the suffix
            converter = OpenCC("t2s.json")
        changed = "".join(chr(cp) for cp in range(0x3400, 0xA000) if converter.convert(chr(cp)) != chr(cp))
    except Exception as exc:  # pragma: no cover - the dependency is declared; degrade, never fail a search
        print(f"zhunru.search: traditional-to-simplified conversion disabled ({exc})", file=sys.stderr)
        return None
    return converter, re.compile(f"[{re.escape(changed)}]")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (phrase-aware); text without any is returned as it is, fast."""
    t2s = _t2s()
    if t2s is None or not t2s[1].search(text):
        return text
    return t2s[0].convert(text)


def normalize(text: str) -> str:
    """The one normalisation of documents and queries, before every other step (tokens, codes, synonyms):
    invisible characters removed, NFKC, traditional to simplified, lowercase."""
    text = unicodedata.normalize("NFKC", strip_invisible(text))
    return to_simplified(text).lower()


def fold(text: str) -> str:
    """Full-width to half-width (NFKC, character by character so offsets survive) and lowercase."""
    return text.translate(_fold_table()).lower()


@functools.cache
def _fold_table() -> dict[int, str]:
    """Every character whose NFKC form is one other character (full-width letters, digits and punctuation,
    compatibility ideographs ...): one ``str.translate`` instead of a normalisation per character."""
    table = {}
    for cp in range(0x30000):
        ch = chr(cp)
        norm = unicodedata.normalize("NFKC", ch)
        if len(norm) == 1 and norm != ch:
            table[cp] = norm
    return table


def is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR_RE.match(ch))


def tokenize(text: str) -> list[str]:
    """Tokens of ``text``: overlapping bigrams for CJK runs (a lone character stays a unigram), words otherwise."""
    tokens: list[str] = []
    for cjk, word in _TOKEN_RE.findall(normalize(text)):
        if cjk:
            if len(cjk) == 1:
                tokens.append(cjk)
            else:
                tokens.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif word:
            tokens.append(word)
    return tokens


def positioned_tokens(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` in ``text``, which must be normalised already (offsets are into it)."""
    out = []
    for m in _TOKEN_RE.finditer(text):
        if m.group(1):
            run, base = m.group(1), m.start(1)
            if len(run) == 1:
                out.append((run, base, base + 1))
            out.extend((run[i : i + 2], base + i, base + i + 2) for i in range(len(run) - 1))
        else:
            out.append((m.group(2), m.start(2), m.end(2)))
    return out


@functools.cache
def _segmenter():
    """jieba's dictionary segmenter (rjieba, its Rust port), or None when it is not installed."""
    try:
        import rjieba
    except ImportError:
        return None
    return rjieba.cut


def segmentation_available() -> bool:
    return _segmenter() is not None


def words(text: str) -> list[str]:
    """Dictionary words of ``text`` (two or more CJK characters), normalised like every token: the optional word
    field (``ZHUNRU_SEARCH["SEGMENTATION"]``). Words only add to a score; bigrams decide what matches and keep
    the recall a dictionary would lose (names, new terms). Empty without rjieba."""
    cut = _segmenter()
    if cut is None:
        return []
    out: list[str] = []
    for cjk, _word in _TOKEN_RE.findall(normalize(text)):
        if len(cjk) >= 2:
            out.extend(w for w in cut(cjk) if len(w) >= 2)
    return out


def analyzed(text: str) -> str:
    """The pre-tokenized form stored in the embedded index (whitespace tokenizer downstream)."""
    return " ".join(tokenize(text))


def looks_like_code(term: str) -> bool:
    """A term that may be a code (事项编码, USCC, register or document number): has digits, no spaces."""
    return bool(_CODE_RE.match(term))


def normalize_code(code: str) -> str:
    """Codes compare width- and case-insensitively: stored and queried upper-case, half-width."""
    return normalize(code).strip().upper()


@dataclass
class Term:
    """One whitespace-separated query term and its equivalent forms (synonym expansion)."""

    raw: str
    forms: list[str]
    code: str = ""

    @property
    def single_char(self) -> bool:
        return len(self.raw) == 1 and is_cjk(self.raw)


@dataclass
class QueryPlan:
    """What every backend executes, with the same semantics:

    - ``terms``: keywords (a whitespace-separated term of up to :data:`KEYWORD_BIGRAMS` bigrams, or a
      code): every one must match, in any of its forms (synonyms), all its bigrams in one field;
    - ``optional``: the units of a sentence (a longer term, as citizens type it, unspaced): each of its
      bigrams and each synonym group it mentions; at least ``minimum_should_match`` of them must match
      (ranked OR, see :func:`minimum_should_match`);
    - ``phrases``: three-character pieces of those sentences (two adjacent bigrams): they match nothing
      alone, they raise the documents that contain them in the same order (proximity);
    - titles weigh more than text (each backend's ``TITLE_BOOST``).
    """

    text: str
    terms: list[Term] = field(default_factory=list)
    optional: list[Term] = field(default_factory=list)
    minimum_should_match: int = 0
    phrases: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.optional

    def highlight_forms(self) -> list[str]:
        return list(_highlight_forms(tuple(f for t in self.terms + self.optional for f in t.forms)))


@functools.lru_cache(maxsize=256)
def _highlight_forms(forms: tuple[str, ...]) -> tuple[str, ...]:
    """Folded, distinct, longest first: computed once per query, not once per highlighted hit."""
    return tuple(sorted({fold(f) for f in forms}, key=len, reverse=True))


# A term of up to this many bigrams (six characters: 食品经营许可, 违规收取费用) is a keyword: all its bigrams must match.
KEYWORD_BIGRAMS = 5
MAX_OPTIONAL, MAX_PHRASES, MAX_TERMS = 48, 32, 16


MSM_FLOOR, MSM_SHARE = 3, 0.2


def minimum_should_match(units: int) -> int:
    """How many of a sentence's ``units`` must match: all of three or fewer, all but one of four or five
    (a short sentence whose synonym mentions count as one unit each), then a fifth, at least three.

    A citizen's unspaced sentence carries many bigrams that span two words and match nothing
    (我们公司去外县投标 → 司去, 去外, 县投 ...): a document about the case typically holds a quarter
    of them. The share only prunes; ranking (BM25, title and proximity boosts) orders the rest.
    Measured on the relevance set (tests/search/data/, bench/search_relevance.py)."""
    if units <= 3:
        return units
    if units <= 5:
        return units - 1
    return max(MSM_FLOOR, math.ceil(units * MSM_SHARE))


_DOCUMENT_NUMBER_RE = re.compile(r"[〔\[(（]\d{4}[〕\])）]")


def is_code_term(term: str) -> bool:
    """A code (事项编码, USCC, register or document number), not a sentence that happens to hold a number:
    at most four CJK characters, unless it has a document number's year in brackets (〔2022〕)."""
    if not looks_like_code(term):
        return False
    return len(_CJK_CHAR_RE.findall(term)) <= 4 or bool(_DOCUMENT_NUMBER_RE.search(term))


def expand(term: str, groups: Iterable[Iterable[str]], limit: int = 8) -> list[str]:
    """Forms of ``term`` with each synonym it contains replaced by the other forms of its group."""
    forms = [term]
    folded = normalize(term)
    for group in groups:
        group = [g for g in group if g]
        for member in sorted(group, key=len, reverse=True):
            norm = _normalized_term(member)
            if norm and norm in folded and len(folded) == len(term):
                start = folded.index(norm)
                for other in group:
                    if other != member:
                        variant = term[:start] + other + term[start + len(member) :]
                        if variant not in forms:
                            forms.append(variant)
                break
        if len(forms) >= limit:
            break
    return forms[:limit]


@functools.lru_cache(maxsize=1024)
def _normalized_term(term: str) -> str:
    """:func:`normalize` of a synonym (the same few dozen, every query)."""
    return normalize(term)


@functools.lru_cache(maxsize=8)
def _normalized_groups(groups: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """The synonym groups normalised once per set, not once per query."""
    return [[normalize(m) for m in g if normalize(m)] for g in groups]


def plan_query(text: str, groups: Iterable[Iterable[str]] = ()) -> QueryPlan:
    """Split a user query into terms (query syntax is just punctuation here), expand synonyms, detect codes.

    The query is normalised first (:func:`normalize`), so ``发改\u200b委`` is ``发改委`` and a code typed
    with full-width digits is recognised as a code."""
    text = normalize(text).strip()
    plan = QueryPlan(text=text)
    groups = _normalized_groups(tuple(tuple(g) for g in groups))
    seen: set[str] = set()
    for raw in text.split():
        tokens = tokenize(raw)
        if not tokens:
            continue  # pure punctuation / query syntax
        code = normalize_code(raw) if is_code_term(raw) else ""
        if code or len(tokens) <= KEYWORD_BIGRAMS:
            if len(plan.terms) < MAX_TERMS:
                plan.terms.append(Term(raw=raw, forms=expand(raw, groups), code=code))
            continue
        # A sentence: the synonym groups it mentions, each one unit (the bigrams inside the mention
        # belong to it), then its other bigrams (and words), as optional units.
        covered: set[int] = set()
        for group in groups:
            member = next((m for m in sorted(group, key=len, reverse=True) if m in raw), None)
            if member and f"={member}" not in seen and len(plan.optional) < MAX_OPTIONAL:
                seen.add(f"={member}")
                start = raw.index(member)
                covered.update(range(start, start + len(member)))
                plan.optional.append(Term(raw=member, forms=[member] + [m for m in group if m != member]))
        for token, start, end in positioned_tokens(raw):
            if set(range(start, end)) <= covered:
                continue
            if token not in seen and (len(token) > 1 or not is_cjk(token)) and len(plan.optional) < MAX_OPTIONAL:
                seen.add(token)
                plan.optional.append(Term(raw=token, forms=[token]))
        for run, _word in _TOKEN_RE.findall(raw):
            for i in range(len(run) - 2):
                if run[i : i + 3] not in plan.phrases and len(plan.phrases) < MAX_PHRASES:
                    plan.phrases.append(run[i : i + 3])
    plan.minimum_should_match = minimum_should_match(len(plan.optional))
    return plan
