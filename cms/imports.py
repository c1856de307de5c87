"""Writing a validated import in short transactions, never one long one.

Every importer validates the whole file first (a bad row: nothing written), then hands its writes to
``write_in_batches``: each batch is its own transaction, ended once it has written for
``ZHUNRU_IMPORT_BATCH_SECONDS`` (0.5 s by default), so no import holds SQLite's single write lock, or
PostgreSQL row locks, for longer than about that. A complaint filed meanwhile waits one batch at most.

What a batch cannot give is all-or-nothing; each importer makes a stopped import safe to run again:

- cases (``import_cases``): a natural key per case skips what an earlier run wrote;
- 双公示 decisions (``zhunru.credit.disclosure.import_file``): each decision keeps the ``ImportRun`` that
  wrote it, so a re-run of the same file skips its own rows and still refuses anyone else's;
- a list edition (``zhunru.catalog.importers.import_edition``): items are upserted by code into a draft
  edition, which cannot be activated (made public) while its ``ImportRun`` is unfinished.

``batch_committed`` is sent after each batch commits (progress, and the hook tests use to stop an import
half-way).
"""

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext, ngettext

from zhunru import conf

T = TypeVar("T")

# Sent after each committed batch: sender is the model the import writes (Case, ListItem, PublicDecision), with
# done (writes committed so far), total and seconds (how long the batch's transaction was open).
batch_committed = Signal()


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> str | None:
    """The first lone UTF-16 surrogate in ``text``, escaped (``\\ud800``), or None.

    A JSON ``"\\ud800"`` escape decodes to such a character; it cannot be encoded as UTF-8, so the database
    insert would fail (and so would printing it). Every importer refuses it while validating, before any write.
    """
    match = _LONE_SURROGATE.search(text)
    return None if match is None else f"\\u{ord(match.group(0)):04x}"


def shown(text: str) -> str:
    """``text`` safe to print or store in a message: a lone surrogate becomes its escape (``\\ud800``)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def surrogate_problem(text: str) -> str | None:
    """The Chinese reason a text with a lone surrogate is refused, or None."""
    char = lone_surrogate(text)
    if char is None:
        return None
    return gettext("包含无效的字符（孤立的 UTF-16 代理项 {char}），请检查文件的编码或转义。").format(char=char)


MAX_ERRORS_SHOWN = 50


def capped(errors: list[str], limit: int = MAX_ERRORS_SHOWN) -> list[str]:
    """The first ``limit`` errors of a refused file and a last line saying how many there are in all: a
    file of 5,000 bad rows is refused with a readable page, not 20,000 lines."""
    if len(errors) <= limit:
        return errors
    return [*errors[:limit], ngettext("……等共 {count} 项错误，仅列出前 {limit} 项。", "……等共 {count} 项错误，仅列出前 {limit} 项。", len(errors)).format(count=len(errors), limit=limit)]


def file_sha256(path) -> str:
    """The file's identity for a re-run: the same bytes, the same import."""
    digest = hashlib.sha256()
    with open(Path(path), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_in_batches(
    items: Sequence[T],
    write: Callable[[T], None],
    *,
    sender: type,
    begin: Callable[[], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Call ``write`` for every item, in transactions of at most about ZHUNRU_IMPORT_BATCH_SECONDS each (a batch
    stops early rather than let its next write end past the limit); return the number of batches. ``begin``
    runs first in every batch's transaction (e.g. to lock and check the import still owns its target); an
    exception rolls back the current batch only."""
    limit = conf.import_batch_seconds()
    done = batches = 0
    total = len(items)
    while done < total:
        started = time.monotonic()
        slowest = 0.0  # this batch's slowest write: the batch ends before one more such write would pass the limit
        with transaction.atomic():
            if begin is not None:
                begin()
            while done < total:
                before = time.monotonic()
                write(items[done])
                slowest = max(slowest, time.monotonic() - before)
                done += 1
                if progress is not None:
                    progress(done, total)
                if time.monotonic() - started + slowest >= limit:
                    break
        batches += 1
        batch_committed.send(sender=sender, done=done, total=total, seconds=time.monotonic() - started)
    return batches
