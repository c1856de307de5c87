import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from zhunru.audit.recording import record
from zhunru.security.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从 backup_zhunru 生成的备份恢复数据库与上传文件：先逐一校验 SHA-256，再整体替换数据库、写回文件，"
        "最后校验审计链；审计链不通过时以状态码 1 退出。目标数据库须已 migrate 且没有用户账号，否则需 --force。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.gz）")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据（目标数据库非空或迁移比备份新时）")
        parser.add_argument("--workdir", default=None, help="解包校验用的临时目录（默认系统临时目录，需容纳整个备份）")

    def handle(self, *args, archive: str, force: bool, workdir: str | None, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"找不到备份文件：{path}")
        try:
            result = restore_backup(path, force=force, workdir=Path(workdir) if workdir else None)
        except BackupError as error:
            raise CommandError(f"拒绝恢复：{error}")
        manifest = result.manifest
        self.stdout.write(
            f"已恢复 {sum(manifest['row_counts'].values())} 行数据、{result.files} 个文件"
            f"（备份时间 {manifest['created_at']}，版本 {manifest['app_version']}）。"
        )
        if not result.ok:
            problem = result.report.describe() if not result.report.ok else (
                f"链头与备份清单不符（清单 #{manifest['audit_chain']['head_sequence']} "
                f"{manifest['audit_chain']['head_hash']}）"
            )
            self.stderr.write(self.style.ERROR(f"恢复后的审计链校验失败：{problem}"))
            self.stderr.write("数据已写入，但不可信：请改用其他备份，或核查备份的来源与保管过程。")
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(result.report.describe()))
        record(
            "backup.restored",
            object_repr=path.name[:255],
            changes={"created_at": manifest["created_at"], "audit_chain_head": manifest["audit_chain"]["head_hash"]},
            note=f"从备份 {path.name} 恢复（备份时间 {manifest['created_at']}）",
        )
        call_command("update_index", stdout=StringIO(), stderr=StringIO())  # Wagtail's admin search
        self.stdout.write("已重建后台搜索索引。")
        self._rebuild_public_search()
        self.stdout.write("所有用户需重新登录。")

    def _rebuild_public_search(self) -> None:
        """The public index follows the restored database; if search is down, the nightly reconciliation
        (or ``rebuild_search_index`` by hand) repairs it later, so the restore itself stands."""
        from zhunru.search import indexing

        try:
            n = indexing.rebuild()
        except Exception as error:  # any backend failure: the data is restored, only the index lags
            self.stderr.write(self.style.WARNING(
                f"公众检索索引未能重建（{type(error).__name__}: {error}）。检索服务恢复后请运行 "
                "python manage.py rebuild_search_index；在此之前，检索结果可能与恢复后的数据不一致。"
            ))
        else:
            self.stdout.write(f"已重建公众检索索引：{n} 条文档。")
