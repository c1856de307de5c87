"""``manage.py due_date 2026-09-24 1 working``: the due date of a period, for operators and scripts."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from zhunru.leads.calendar import UNITS, CalendarError, compute_due


class Command(BaseCommand):
    help = _("计算期限届满日：起算日期、天数、单位（working 工作日 / calendar 自然日）。起算日不计入。")

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.error = self._usage_error  # exit status 2 with a Chinese message, argparse's convention
        return parser

    def _usage_error(self, message: str):
        if message.startswith("the following arguments are required"):
            message = _("缺少参数：") + message.split(":", 1)[1].strip()
        elif message.startswith("unrecognized arguments"):
            message = _("多余的参数：") + message.split(":", 1)[1].strip()
        sys.stderr.write(_("参数错误：{message}\n用法：manage.py due_date 起算日期(YYYY-MM-DD) 天数 working|calendar [--jurisdiction 行政区划代码]\n").format(message=message))
        sys.exit(2)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", help=_("起算日期，YYYY-MM-DD（当日不计入）"))
        parser.add_argument("amount", help=_("天数（正整数）"))
        parser.add_argument("unit", help=_("working（工作日）或 calendar（自然日）"))
        parser.add_argument("--jurisdiction", help=_("辖区行政区划代码，用于办公截止时间"), default=None)
        parser.add_argument("--explain", action="store_true", help=_("同时输出计算过程"))

    def handle(self, *args, **options):
        try:
            start = datetime.date.fromisoformat(options["start"])
        except ValueError:
            self._usage_error(_("起算日期“{value}”不是 YYYY-MM-DD 格式的有效日期。").format(value=options['start']))
        try:
            amount = int(options["amount"])
        except ValueError:
            self._usage_error(_("天数“{value}”不是整数。").format(value=options['amount']))
        unit = options["unit"]
        if unit not in UNITS:
            self._usage_error(_("单位“{unit}”无效，应为 working（工作日）或 calendar（自然日）。").format(unit=unit))
        jurisdiction = None
        if options["jurisdiction"]:
            from zhunru.models import Jurisdiction

            jurisdiction = Jurisdiction.objects.filter(division_code=options["jurisdiction"]).first()
            if jurisdiction is None:
                self._usage_error(_("找不到行政区划代码为“{value}”的辖区。").format(value=options['jurisdiction']))
        try:
            due = compute_due(start, amount, unit, jurisdiction=jurisdiction)
        except CalendarError as exc:
            self._usage_error(str(exc))
        except Exception as exc:  # e.g. database not migrated
            raise CommandError(_("无法计算期限：{exc}").format(exc=exc)) from exc
        self.stdout.write(due.due_date.isoformat() + (" provisional" if due.provisional else ""))
        if options["explain"]:
            self.stdout.write(due.explain())
