"""Chinese analysis shared by both backends: width folding, lowercase, CJK bigrams, query plans.

Tantivy's Python bindings have no ``cjk_bigram`` filter, so the embedded backend indexes the
tokens produced here (whitespace-joined); Elasticsearch does the same with its built-in
``standard`` tokenizer + ``cjk_width`` + ``lowercase`` + ``cjk_bigram``. The query side of both
backends starts from :func:`plan_query`, so synonyms and code detection behave the same.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# CJK ideographs (unified + extension A + compatibility), kana and hangul are bigrammed like
# Lucene's StandardTokenizer + CJKBigramFilter do.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"([{_CJK}]+)|([0-9a-z\u00c0-\u024f]+(?:[._][0-9a-z\u00c0-\u024f]+)*)")
_CJK_CHAR_RE = re.compile(rf"[{_CJK}]")
# Codes: 事项编码, USCC (18 chars), register numbers, document numbers such as 发改体改规〔2022〕397号.
_CODE_RE = re.compile(r"^(?=.*\d)[0-9A-Za-z\-_/.〔〕\[\]()（）\u4e00-\u9fff]{4,60}$")


def fold(text: str) -> str:
    """Full-width to half-width (NFKC, character by character so offsets survive) and lowercase."""
    out = []
    for ch in text:
        norm = unicodedata.normalize("NFKC", ch)
        out.append(norm if len(norm) == 1 else ch)
    return "".join(out).lower()


def is_cjk(ch: str) -> bool:
    return bool(_CJK_CHAR_RE.match(ch))


def tokenize(text: str) -> list[str]:
    """Tokens of ``text``: overlapping bigrams for CJK runs (a lone character stays a unigram), words otherwise."""
    tokens: list[str] = []
    for cjk, word in _TOKEN_RE.findall(fold(text or "")):
        if cjk:
            if len(cjk) == 1:
                tokens.append(cjk)
            else:
                tokens.extend(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif word:
            tokens.append(word)
    return tokens


def analyzed(text: str) -> str:
    """The pre-tokenized form stored in the embedded index (whitespace tokenizer downstream)."""
    return " ".join(tokenize(text))


def looks_like_code(term: str) -> bool:
    """A term that may be a code (事项编码, USCC, register or document number): has digits, no spaces."""
    return bool(_CODE_RE.match(term))


def normalize_code(code: str) -> str:
    """Codes compare width- and case-insensitively: stored and queried upper-case, half-width."""
    return fold(code).strip().upper()


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
    """What both backends execute: every term must match (in any of its forms)."""

    text: str
    terms: list[Term] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.terms

    def highlight_forms(self) -> list[str]:
        forms = {fold(f) for t in self.terms for f in t.forms}
        return sorted(forms, key=len, reverse=True)


def expand(term: str, groups: Iterable[Iterable[str]], limit: int = 8) -> list[str]:
    """Forms of ``term`` with each synonym it contains replaced by the other forms of its group."""
    forms = [term]
    folded = fold(term)
    for group in groups:
        group = [g for g in group if g]
        for member in sorted(group, key=len, reverse=True):
            if fold(member) in folded:
                start = folded.index(fold(member))
                for other in group:
                    if other != member:
                        variant = term[:start] + other + term[start + len(member) :]
                        if variant not in forms:
                            forms.append(variant)
                break
        if len(forms) >= limit:
            break
    return forms[:limit]


def plan_query(text: str, groups: Iterable[Iterable[str]] = ()) -> QueryPlan:
    """Split a user query into terms (query syntax is just punctuation here), expand synonyms, detect codes."""
    text = (text or "").strip()
    plan = QueryPlan(text=text)
    groups = [list(g) for g in groups]
    for raw in text.split():
        if not tokenize(raw):
            continue  # pure punctuation / query syntax
        plan.terms.append(Term(raw=raw, forms=expand(raw, groups), code=raw if looks_like_code(raw) else ""))
    return plan
