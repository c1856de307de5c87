"""Backup and restore: every row and file back as it was, the audit chain verifying; tampering refused."""

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.conftest import create_department, create_jurisdiction, create_user, shared_rows
from zhunru import roles
from zhunru.audit.models import AuditEvent
from zhunru.audit.recording import record
from zhunru.audit.verification import verify_chain
from zhunru.security import serialization
from zhunru.security.backup import DATABASE, MANIFEST, backed_up_models
from zhunru.uploads import store_attachment

PDF = b"%PDF-1.4\n% evidence for the backup test\ntrailer<<>>\n%%EOF\n"


# One module, one worker: the world below is built once for all its tests (see ``shared_rows``).
pytestmark = pytest.mark.xdist_group("backup")


@shared_rows("backup_world")
def backup_world():
    """The demo of every app, users (one with a TOTP device), an evidence file, a document, audit events;
    built once for this module's tests (each test rolls back its wipe and restore), with the files' bytes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from wagtail.documents.models import Document

    from zhunru.leads.models import Lead

    call_command("load_demo", stdout=io.StringIO())
    dept = create_department(create_jurisdiction(), "备份测试局")
    boss = create_user("backup-boss", superuser=True)
    officer = create_user("backup-officer", groups=[roles.DEPARTMENT_OFFICER], departments=[dept])
    TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    lead = Lead.objects.create_lead(jurisdiction=dept.jurisdiction, source=Lead.Source.COMPLAINT, title="备份测试线索")
    lead.transfer(to=dept, by=boss)
    attachment = store_attachment(SimpleUploadedFile("证据.pdf", PDF), lead, department=dept, user=boss,
                                  purpose="核查印证材料")
    document = Document(title="公开的政策解读")
    document.file.save("政策解读.txt", ContentFile("公开文件的内容".encode()), save=True)
    record("test.before_backup", obj=lead, note="备份前的一条审计记录")
    return {"boss": boss, "attachment": attachment, "document": document, "files": files()}


@pytest.fixture
def world(backup_world):
    """The shared world, its files written back (a previous test's wipe removed them)."""
    roots = {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.ZHUNRU_PRIVATE_MEDIA_ROOT)}
    for name, data in backup_world["files"].items():
        folder, _, relative = name.partition("/")
        path = roots[folder] / relative
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return backup_world


def rows() -> dict[str, list[dict]]:
    """Every backed-up row, as the backup's own serializer writes it."""
    serialization.register()
    out = {}
    for model in backed_up_models():
        stream = io.StringIO()
        serializers.serialize(serialization.FORMAT, model._base_manager.order_by("pk"), stream=stream)
        objects = [json.loads(line) for line in stream.getvalue().splitlines()]
        for obj in objects:  # many-to-many ids come in no fixed order (PostgreSQL): compare them as sets
            for name, value in obj["fields"].items():
                if isinstance(value, list) and all(isinstance(v, int) for v in value):
                    obj["fields"][name] = sorted(value)
        out[model._meta.label_lower] = objects
    return out


def files() -> dict[str, bytes]:
    found = {}
    for folder, root in (("media", Path(settings.MEDIA_ROOT)), ("private", Path(settings.ZHUNRU_PRIVATE_MEDIA_ROOT))):
        for path in root.rglob("*") if root.exists() else ():
            if path.is_file():
                found[f"{folder}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    return found


def backup(tmp_path) -> Path:
    call_command("backup_zhunru", str(tmp_path / "backups"), stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("zhunru-backup-*.tar.gz")
    return archive


def wipe() -> None:
    """What a new server has: a migrated, empty database (flush re-runs post_migrate) and no files."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own transaction has pending checks
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    shutil.rmtree(settings.ZHUNRU_PRIVATE_MEDIA_ROOT, ignore_errors=True)


def rewrite(archive: Path, target: Path, change) -> Path:
    """Copy the archive, passing each member's (name, bytes) through ``change``."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


@pytest.mark.django_db
def test_backup_wipe_restore_gives_back_every_row_and_file(tmp_path, world, client):
    from django.contrib.auth import get_user_model

    before_rows, before_files = rows(), files()
    assert any(name.startswith("private/") for name in before_files)
    assert any(name.startswith("media/documents/") for name in before_files)
    assert len(before_rows["zhunru_audit.auditevent"]) > 50
    archive = backup(tmp_path)
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only

    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    assert manifest["row_counts"]["zhunru_audit.auditevent"] == len(before_rows["zhunru_audit.auditevent"])
    assert manifest["audit_chain"]["verified"] and manifest["app_version"]
    # The backup sealed the events still pending (they are written unsealed): its head is the last sealed one.
    at_backup = rows()["zhunru_audit.auditevent"]
    sealed = [r for r in at_backup if r["fields"].get("sequence")]
    last = max(sealed, key=lambda r: r["fields"]["sequence"])
    assert manifest["audit_chain"]["head_hash"] == last["fields"]["hash"] != ""
    assert manifest["audit_chain"]["head_sequence"] == last["fields"]["sequence"]
    assert {f["path"] for f in manifest["files"]} == set(before_files) | {DATABASE}

    wipe()
    assert not get_user_model().objects.exists() and not files()
    from zhunru.search import indexing
    from zhunru.search.query import search

    indexing.rebuild()  # the public index now matches the empty database
    assert search("市场准入").total == 0

    out, err = io.StringIO(), io.StringIO()
    call_command("restore_zhunru", str(archive), stdout=out, stderr=err)
    assert "审计链完整" in out.getvalue(), err.getvalue()
    assert "已重建公众检索索引" in out.getvalue() and search("市场准入").total > 0

    after_rows = rows()
    restored = [e for e in after_rows.pop("zhunru_audit.auditevent") if e["fields"]["action"] != "backup.restored"]
    after_rows.pop("zhunru_audit.chainhead")
    after_rows.pop("zhunru_audit.chaincheckpoint", None)  # verification after the restore signs a new one
    before_rows.pop("zhunru_audit.auditevent")
    before_events = sealed  # the events the archive holds, as the backup sealed them
    before_rows.pop("zhunru_audit.chainhead")
    before_rows.pop("zhunru_audit.chaincheckpoint", None)
    assert restored == before_events
    for label, objects in before_rows.items():
        assert after_rows[label] == objects, label
    assert files() == before_files
    assert verify_chain().ok
    assert AuditEvent.objects.filter(action="backup.restored").count() == 1

    # The restored site works: the evidence file downloads through its permission-checked view.
    client.force_login(world["boss"])
    response = client.get(f"/attachments/{world['attachment'].uuid}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_a_changed_file_is_refused_before_anything_is_written(tmp_path, world):
    from django.contrib.auth import get_user_model

    archive = backup(tmp_path)
    tampered = rewrite(archive, tmp_path / "tampered.tar.gz",
                       lambda name, data: data.replace(b"evidence", b"EVIDENCE") if name.startswith("private/") else data)
    wipe()
    with pytest.raises(CommandError, match="文件与清单不符.*private/"):
        call_command("restore_zhunru", str(tampered), force=True)
    assert not get_user_model().objects.exists() and not files()  # nothing was written


@pytest.mark.django_db
def test_an_added_file_is_refused(tmp_path, world):
    archive = backup(tmp_path)
    target = tmp_path / "extra.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            out.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("media/planted.html")
        info.size = 4
        out.addfile(info, io.BytesIO(b"<!--"))
    wipe()
    with pytest.raises(CommandError, match="清单之外"):
        call_command("restore_zhunru", str(target))


@pytest.mark.django_db
def test_a_database_in_use_is_not_overwritten_without_force(tmp_path, world):
    archive = backup(tmp_path)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore_zhunru", str(archive))


@pytest.mark.django_db
def test_an_edited_audit_entry_in_a_consistent_archive_fails_the_restore(tmp_path, world):
    """Someone rewrote the dump and its manifest entry: the files check passes, the restored chain does not."""
    import hashlib

    archive = backup(tmp_path)

    def edit(name, data):
        if name == DATABASE:
            return data.replace("备份前的一条审计记录".encode(), "被改写的审计记录".encode())
        if name == MANIFEST:
            manifest = json.loads(data)
            entry = next(f for f in manifest["files"] if f["path"] == DATABASE)
            dump = edit(DATABASE, original_dump)
            entry.update(size=len(dump), sha256=hashlib.sha256(dump).hexdigest())
            return json.dumps(manifest).encode()
        return data

    with tarfile.open(archive, "r:gz") as tar:
        original_dump = tar.extractfile(DATABASE).read()
    forged = rewrite(archive, tmp_path / "forged.tar.gz", edit)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("restore_zhunru", str(forged), force=True, stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "审计链校验失败" in err.getvalue() and "修改" in err.getvalue()
    assert AuditEvent.objects.filter(note="被改写的审计记录").exists()  # loaded, and shown to be untrustworthy
    assert not AuditEvent.objects.filter(action="backup.restored").exists()
