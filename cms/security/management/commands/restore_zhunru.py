import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from zhunru.audit.recording import record
from zhunru.security.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = _(
        "从 backup_zhunru 生成的备份恢复数据库与上传文件：先逐一校验 SHA-256，再整体替换数据库、写回文件，"
        "最后校验审计链；审计链不通过时以状态码 1 退出。目标数据库须已 migrate 且没有用户账号，否则需 --force。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("备份文件（.tar.gz）"))
        parser.add_argument("--force", action="store_true", help=_("覆盖已有数据（目标数据库非空或迁移比备份新时）"))
        parser.add_argument("--workdir", default=None, help=_("解包校验用的临时目录（默认系统临时目录，需容纳整个备份）"))

    def handle(self, *args, archive: str, force: bool, workdir: str | None, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(_("找不到备份文件：{path}").format(path=path))
        try:
            result = restore_backup(path, force=force, workdir=Path(workdir) if workdir else None)
        except BackupError as error:
            raise CommandError(_("拒绝恢复：{error}").format(error=error))
        manifest = result.manifest
        self.stdout.write(
            _("已恢复 {sum} 行数据、{files} 个文件"
            "（备份时间 {value}，版本 {value2}）。").format(sum=sum(manifest['row_counts'].values()), files=result.files, value=manifest['created_at'], value2=manifest['app_version'])
        )
        if not result.ok:
            problem = result.report.describe() if not result.report.ok else _(
                "链头与备份清单不符（清单 #{value} "
                "{value2}）"
            ).format(value=manifest['audit_chain']['head_sequence'], value2=manifest['audit_chain']['head_hash'])
            self.stderr.write(self.style.ERROR(_("恢复后的审计链校验失败：{problem}").format(problem=problem)))
            self.stderr.write(_("数据已写入，但不可信：请改用其他备份，或核查备份的来源与保管过程。"))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(result.report.describe()))
        record(
            "backup.restored",
            object_repr=path.name[:255],
            changes={"created_at": manifest["created_at"], "audit_chain_head": manifest["audit_chain"]["head_hash"]},
            note=_("从备份 {name} 恢复（备份时间 {value}）").format(name=path.name, value=manifest['created_at']),
        )
        call_command("update_index", stdout=StringIO(), stderr=StringIO())  # Wagtail's admin search
        self.stdout.write(_("已重建后台搜索索引。"))
        self._rebuild_public_search()
        self.stdout.write(_("所有用户需重新登录。"))

    def _rebuild_public_search(self) -> None:
        """The public index follows the restored database; if search is down, the nightly reconciliation
        (or ``rebuild_search_index`` by hand) repairs it later, so the restore itself stands."""
        from zhunru.search import indexing

        try:
            n = indexing.rebuild()
        except Exception as error:  # any backend failure: the data is restored, only the index lags
            self.stderr.write(self.style.WARNING(
                _("公众检索索引未能重建（{name__}: {error}）。检索服务恢复后请运行 "
                "python manage.py rebuild_search_index；在此之前，检索结果可能与恢复后的数据不一致。").format(name__=type(error).__name__, error=error)
            ))
        else:
            self.stdout.write(_("已重建公众检索索引：{n} 条文档。").format(n=n))
