from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from zhunru.cases.workflow import WORKFLOW_NAME, attach_to_all_indexes, ensure_bulletin_workflow


class Command(BaseCommand):
    help = _("创建典型案例通报发布流程（司法审核 → 发改委协调员审批），并挂接到所有通报栏目；可重复运行。")

    def handle(self, *args, **options):
        ensure_bulletin_workflow()
        count = attach_to_all_indexes()
        self.stdout.write(self.style.SUCCESS(_("“{WORKFLOW_NAME}”已就绪，挂接通报栏目 {count} 个。").format(WORKFLOW_NAME=WORKFLOW_NAME, count=count)))
