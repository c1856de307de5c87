from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.audit.recording import record
from zhunru.security.backup import create_backup


class Command(BaseCommand):
    help = _(
        "备份数据库与上传文件（MEDIA_ROOT、ZHUNRU_PRIVATE_MEDIA_ROOT）到 DEST_DIR 下的一个 tar.gz 文件，"
        "附清单（各文件 SHA-256、各表行数、审计链头哈希）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("dest_dir", help=_("备份文件存放目录（不存在则创建）"))

    def handle(self, *args, dest_dir: str, **options):
        result = create_backup(Path(dest_dir))
        manifest = result.manifest
        chain = manifest["audit_chain"]
        record(
            "backup.created",
            object_repr=result.path.name[:255],
            changes={"audit_chain_head": chain["head_hash"], "files": len(manifest["files"])},
            note=_("创建备份 {name}（审计链头 #{value}）").format(name=result.path.name, value=chain['head_sequence']),
        )
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            _("已备份 {rows} 行数据、{value} 个文件到 {path}\n"
            "审计链头 #{value2} {value3}").format(rows=rows, value=len(manifest['files']) - 1, path=result.path, value2=chain['head_sequence'], value3=chain['head_hash'])
        )
        if not chain["verified"]:
            self.stderr.write(self.style.WARNING(_("注意：备份时审计链校验未通过：{value}").format(value=chain['report'])))
        self.stdout.write(_("备份含投诉人联系方式、账号与两步验证密钥等敏感数据，请加密保存并限制访问。"))
