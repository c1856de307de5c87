from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.credit import conf
from zhunru.credit.simulator import Simulator


class Command(BaseCommand):
    help = _("运行信用平台模拟器（接收报送记录、校验签名、提供状态变更反馈，可注入故障）。")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--key-ref", default="demo", help=_("签名密钥引用（ZHUNRU_CREDIT_KEYS 名称或环境变量）"))

    def handle(self, *args, host, port, key_ref, **options):
        sim = Simulator(host, port, key=conf.resolve_key(key_ref))
        self.stdout.write(_("信用平台模拟器：{url}（Ctrl-C 停止）").format(url=sim.url))
        try:
            sim.httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            sim.httpd.server_close()
            self.stdout.write(_("模拟器已停止。"))
