"""Backup and restore: the database (DB-neutral JSON Lines) and the uploaded files in one tar.gz archive.

The archive holds ``database.zhunru-jsonl`` (every row of every model, with its primary key; no natural
keys: the audit chain hashes user and object ids, Wagtail's revisions hold content type ids inside their
JSON, and some log tables point at rows deleted since, so ids are kept exactly and the restore loads the
content types and permissions themselves too), ``media/…`` (MEDIA_ROOT), ``private/…``
(ZHUNRU_PRIVATE_MEDIA_ROOT) and, last, ``manifest.json``: when and from which version it was made,
each file's size and SHA-256, the row count of each model, the applied migrations and the audit chain's
head. A restore checks every file against the manifest before it writes anything, replaces the whole
database in one transaction, puts the files back and verifies the restored audit chain.
"""

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django.utils.translation import gettext

from zhunru import conf as zhunru_conf
from zhunru.audit.models import ChainHead
from zhunru.audit.verification import ChainReport, verify_chain
from zhunru.security import serialization

FORMAT_VERSION = "zhunru-backup/1"
MANIFEST = "manifest.json"
DATABASE = f"database.{serialization.FORMAT}"
CHUNK = 1024 * 1024

# Not backed up: sessions (everyone signs in again), login-throttling state, the worker's task log and
# Wagtail's admin search index (rebuilt with ``update_index`` after a restore).
EXCLUDED = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accessattemptexpiration",
    "axes.accesslog",
    "axes.accessfailurelog",
    "django_dramatiq.task",
    "wagtailsearch.indexentry",
    "wagtailsearch.sqliteftsindexentry",
}


class BackupError(Exception):
    """The archive cannot be restored (damaged, tampered with, or made for another schema)."""


def file_roots() -> dict[str, Path]:
    """Archive folder → directory on disk."""
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(zhunru_conf.get("PRIVATE_MEDIA_ROOT"))}


FIRST = ("contenttypes", "auth")  # loaded first: signal handlers of later rows may look content types up


def backed_up_models() -> list:
    """Every concrete model whose table exists, except EXCLUDED; content types and auth first."""
    existing = set(connection.introspection.table_names())
    models = [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.label_lower not in EXCLUDED
        and model._meta.db_table in existing
    ]
    return sorted(models, key=lambda m: FIRST.index(m._meta.app_label) if m._meta.app_label in FIRST else len(FIRST))


def row_counts(models) -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in models}


def chain_head() -> dict:
    head = ChainHead.objects.filter(pk=1).first()
    return {"sequence": head.last_sequence if head else 0, "hash": head.last_hash if head else "0" * 64}


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def app_version() -> str:
    try:
        return metadata.version("zhunru")
    except metadata.PackageNotFoundError:
        return "unknown"


class _HashingReader(io.RawIOBase):
    """Reads a file for tarfile while hashing it, so each file is read once."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size=-1):
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, source: Path, name: str) -> dict:
    info = tar.gettarinfo(str(source), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(source, "rb") as raw:
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    return {"path": name, "size": info.size, "sha256": reader.sha256.hexdigest()}


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def create_backup(dest_dir: Path) -> BackupResult:
    """Write ``zhunru-backup-<UTC time>.tar.gz`` into ``dest_dir`` (mode 0600: it holds personal data)."""
    serialization.register()
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    created_at = timezone.now()
    name = f"zhunru-backup-{created_at:%Y%m%dT%H%M%S%fZ}.tar.gz"
    final = dest_dir / name
    partial = dest_dir / f".{name}.partial"
    models = backed_up_models()
    with tempfile.TemporaryDirectory(prefix="zhunru-backup-") as workdir:
        dump = Path(workdir) / DATABASE
        # One snapshot for the rows, their counts and the chain head (inside an enclosing transaction,
        # as in tests, that transaction's view is the snapshot).
        isolate = connection.vendor == "postgresql" and not connection.in_atomic_block
        # Every committed audit event is sealed into the chain first, so the archive's recorded chain head is
        # the chain the archive holds (events are written unsealed and sealed within seconds).
        from zhunru.audit.sealing import seal_pending

        seal_pending()
        with transaction.atomic():
            if isolate:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            call_command(
                "dumpdata", *[model._meta.label for model in models], format=serialization.FORMAT,
                output=str(dump), use_base_manager=True, verbosity=0,
            )
            counts = row_counts(models)
            head = chain_head()
            report = verify_chain()
            migrations = applied_migrations()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w:gz") as tar:
                files = [_add_file(tar, dump, DATABASE)]
                for folder, root in file_roots().items():
                    if not root.is_dir():
                        continue
                    for path in sorted(root.rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            files.append(_add_file(tar, path, f"{folder}/{path.relative_to(root).as_posix()}"))
                manifest = {
                    "format": FORMAT_VERSION,
                    "created_at": created_at.isoformat(),
                    "app_version": app_version(),
                    "django_version": metadata.version("django"),
                    "wagtail_version": metadata.version("wagtail"),
                    "database_vendor": connection.vendor,
                    "files": files,
                    "row_counts": counts,
                    "migrations": migrations,
                    "audit_chain": {
                        "head_sequence": head["sequence"],
                        "head_hash": head["hash"],
                        "verified": report.ok,
                        "report": report.describe(),
                    },
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(created_at.timestamp())
                info.mode = 0o600
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, final)
        finally:
            if partial.exists():
                partial.unlink()
    return BackupResult(final, manifest)


def _safe_member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(gettext("备份中有不安全的路径：{name}").format(name=name))
    if name not in (MANIFEST, DATABASE) and path.parts[0] not in file_roots():
        raise BackupError(gettext("备份中有未知的文件：{name}").format(name=name))
    return path


@dataclass
class VerifiedArchive:
    """An archive whose every file matched the manifest, unpacked into ``workdir``."""

    workdir: Path
    manifest: dict
    files: list[str] = field(default_factory=list)


def unpack_and_verify(archive: Path, workdir: Path) -> VerifiedArchive:
    """Unpack into ``workdir`` (nowhere else) and check each file's size and SHA-256 against the manifest."""
    seen: dict[str, tuple[int, str]] = {}
    manifest = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                path = _safe_member_path(member.name)
                if not member.isfile():
                    raise BackupError(gettext("备份中有非普通文件：{name}").format(name=member.name))
                if member.name in seen or (member.name == MANIFEST and manifest is not None):
                    raise BackupError(gettext("备份中的文件重复：{name}").format(name=member.name))
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(source.read().decode("utf-8"))
                    continue
                target = workdir.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                seen[member.name] = (member.size, digest.hexdigest())
    except (tarfile.TarError, EOFError, OSError, ValueError) as error:
        raise BackupError(gettext("备份文件已损坏或不是准入平台的备份：{error}").format(error=error))
    if manifest is None or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(gettext("备份中没有可识别的 manifest.json。"))
    expected = {entry["path"]: (entry["size"], entry["sha256"]) for entry in manifest["files"]}
    for name, (size, sha256) in expected.items():
        if name not in seen:
            raise BackupError(gettext("备份缺少文件：{name}").format(name=name))
        if seen[name] != (size, sha256):
            raise BackupError(gettext("文件与清单不符（内容被改动或损坏）：{name}").format(name=name))
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise BackupError(gettext("备份中有清单之外的文件：{value}").format(value=extra[0]))
    if DATABASE not in expected:
        raise BackupError(gettext("备份中没有数据库文件。"))
    return VerifiedArchive(workdir, manifest, sorted(expected))


def database_in_use() -> bool:
    """A database counts as in use once it has a user account; a freshly migrated one has none."""
    from django.contrib.auth import get_user_model

    return get_user_model()._base_manager.exists()


def migration_mismatch(manifest: dict) -> tuple[list[str], list[str]]:
    """(migrations the backup had that this database lacks, migrations this database has in addition)."""
    backup, here = set(manifest["migrations"]), set(applied_migrations())
    return sorted(backup - here), sorted(here - backup)


def _empty_all_tables() -> None:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Inside an enclosing transaction (tests), pending deferred checks would block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=False)
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _clear_process_caches() -> None:
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Site

    ContentType.objects.clear_cache()
    Site.clear_site_root_paths_cache()


@contextmanager
def model_signals_muted():
    """No save, delete or many-to-many receiver runs inside the block. Loading a backup must reproduce it
    without side effects (audit mirrors, outbox rows, notifications), and m2m_changed, unlike post_save,
    does not tell its receivers that the rows come from a fixture."""
    muted = []
    for signal in (pre_save, post_save, pre_delete, post_delete, m2m_changed):
        with signal.lock:
            muted.append((signal, signal.receivers))
            signal.receivers = []
            signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in muted:
            with signal.lock:
                signal.receivers = receivers
                signal.sender_receivers_cache.clear()


def load_database(verified: VerifiedArchive) -> None:
    """Replace every table's rows with the backup's, in one transaction; counts must match the manifest."""
    from auditlog.context import disable_auditlog

    serialization.register()
    with transaction.atomic():
        _empty_all_tables()
        # ContentType's cache must not remember the rows just removed.
        _clear_process_caches()
        with model_signals_muted(), disable_auditlog():
            call_command("loaddata", str(verified.workdir / DATABASE), verbosity=0)
        counts = row_counts(backed_up_models())
        wrong = {label: (n, counts.get(label)) for label, n in verified.manifest["row_counts"].items()
                 if counts.get(label) != n}
        if wrong:
            label, (expected, got) = sorted(wrong.items())[0]
            raise BackupError(gettext("恢复后的行数与清单不符：{label} 应为 {expected}，实为 {got}（已回滚）。").format(label=label, expected=expected, got=got))
    _clear_process_caches()


def restore_files(verified: VerifiedArchive) -> int:
    """Put the archive's files in place (overwriting same-named ones; others are left alone)."""
    roots = file_roots()
    count = 0
    for name in verified.files:
        if name == DATABASE:
            continue
        folder, _, rest = name.partition("/")
        root = roots[folder].resolve()
        target = (root / rest).resolve()
        if not target.is_relative_to(root):
            raise BackupError(gettext("备份中有不安全的路径：{name}").format(name=name))
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(verified.workdir / folder / rest, temporary)
        os.replace(temporary, target)
        count += 1
    return count


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    report: ChainReport
    head_matches: bool

    @property
    def ok(self) -> bool:
        return self.report.ok and self.head_matches


def restore_backup(archive: Path, *, force: bool = False, workdir: Path | None = None) -> RestoreResult:
    """Verify, then load the database, then the files, then verify the restored audit chain."""
    with tempfile.TemporaryDirectory(prefix="zhunru-restore-", dir=workdir) as tmp:
        verified = unpack_and_verify(Path(archive), Path(tmp))
        missing, extra = migration_mismatch(verified.manifest)
        if missing:
            raise BackupError(
                gettext("本数据库缺少备份时已应用的 {count} 个迁移（如 {value}）。"
                "请用与备份相同的版本运行 migrate 后再恢复。").format(count=len(missing), value=missing[0])
            )
        if extra and not force:
            raise BackupError(
                gettext("本数据库比备份多 {count} 个迁移（如 {value}），数据结构可能不同。"
                "建议用与备份相同的版本恢复后再升级；确认无误可加 --force。").format(count=len(extra), value=extra[0])
            )
        if database_in_use() and not force:
            raise BackupError(gettext("目标数据库已有用户账号（非空数据库），恢复会覆盖全部数据。确认要覆盖请加 --force。"))
        load_database(verified)
        files = restore_files(verified)
    report = verify_chain()
    head = chain_head()
    expected = verified.manifest["audit_chain"]
    matches = head["sequence"] == expected["head_sequence"] and head["hash"] == expected["head_hash"]
    return RestoreResult(verified.manifest, files, report, matches)
