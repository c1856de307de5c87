"""``manage.py add_jurisdiction``: set up a new office (辖区) on this installation; re-running is harmless."""

import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Site

from zhunru import roles
from zhunru.models import Department, Jurisdiction, JurisdictionHomePage

LEVELS = {value: value for value, _ in Jurisdiction.Level.choices} | {
    label: value for value, label in Jurisdiction.Level.choices}
_HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def _provision(home, jurisdiction) -> str:
    """Groups, page permissions, collections and workflow: the roles module's provisioning when it exists."""
    provision = getattr(roles, "provision_jurisdiction", None)
    if provision is not None:
        provision(jurisdiction)
        return "角色组、页面权限、媒体集合和审核流程"
    roles.page_permissions_for_editors(home)
    return "编辑页面权限"


class Command(BaseCommand):
    help = ("新增一个辖区：创建辖区、牵头部门、门户站点和首页、案例登记设置，并配置各角色权限。"
            "可重复运行：已存在的部分保持不变并如实报告。")

    def add_arguments(self, parser):
        parser.add_argument("division_code", help="6 位行政区划代码，如 141081")
        parser.add_argument("name", help="辖区名称，如 侯马市")
        parser.add_argument("--short-name", required=True, help="简称（用于编号），如 侯")
        parser.add_argument("--level", required=True,
                            help="行政级别：" + "、".join(f"{v}（{label}）" for v, label in Jurisdiction.Level.choices))
        parser.add_argument("--office-name", required=True, help="发展改革部门全称，如 侯马市发展和改革局")
        parser.add_argument("--parent", default="", help="上级辖区的行政区划代码（上级机关也使用本系统时）")
        parser.add_argument("--higher-office", default="", help="上级发展改革部门名称（上级不在本系统时）")
        parser.add_argument("--escalates-to", default="", help="督办上报的本级人民政府，如 侯马市人民政府")
        parser.add_argument("--hostname", default="", help="门户站点域名（可选），如 houma.example.gov.cn")
        parser.add_argument("--slug", default="", help="门户首页的网址片段（可选，默认按区划代码）")

    def handle(self, *args, **options):
        code = options["division_code"].strip()
        name = options["name"].strip()
        if not re.fullmatch(r"\d{6}", code):
            raise CommandError(f"行政区划代码应为 6 位数字，收到“{code}”。")
        if not name:
            raise CommandError("请填写辖区名称。")
        level = LEVELS.get(options["level"].strip())
        if level is None:
            raise CommandError("行政级别无效，可选：" + "、".join(
                f"{v}（{label}）" for v, label in Jurisdiction.Level.choices) + "。")
        short = options["short_name"].strip()
        office = options["office_name"].strip()
        if not short or not office:
            raise CommandError("请填写简称和发展改革部门全称。")
        parent = None
        if options["parent"]:
            parent = Jurisdiction.objects.filter(division_code=options["parent"].strip()).first()
            if parent is None:
                raise CommandError(f"上级辖区（行政区划代码 {options['parent']}）不存在，请先添加上级辖区。")
            if parent.division_code == code:
                raise CommandError("上级辖区不能是本辖区。")
        hostname = options["hostname"].strip().lower()
        if hostname and not _HOSTNAME.match(hostname):
            raise CommandError(f"域名“{hostname}”格式不正确。")
        clash = Jurisdiction.objects.filter(name=name).exclude(division_code=code).first()
        if clash is not None:
            raise CommandError(f"名称“{name}”已被辖区 {clash.division_code} 使用。")
        if hostname:
            site_clash = Site.objects.filter(hostname=hostname, port=80).exclude(
                jurisdiction__division_code=code).first()
            if site_clash is not None:
                raise CommandError(f"域名“{hostname}”已被站点“{site_clash.site_name or site_clash.hostname}”使用。")
        slug = slugify(options["slug"] or "") or f"j{code}"

        try:
            with transaction.atomic():
                report = self._add(code, name, short, level, office, parent, options["higher_office"].strip(),
                                   options["escalates_to"].strip(), hostname, slug)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        for line in report:
            self.stdout.write(line)

    def _add(self, code, name, short, level, office, parent, higher_office, escalates_to, hostname, slug):
        from zhunru.demo import _portal_root

        report = []
        roles.sync_roles()
        jurisdiction = Jurisdiction.objects.filter(division_code=code).first()
        if jurisdiction is None:
            jurisdiction = Jurisdiction(division_code=code, name=name, short_name=short, level=level,
                                        office_name=office, parent=parent, higher_office=higher_office,
                                        escalates_to=escalates_to)
            jurisdiction.full_clean()
            jurisdiction.save()
            report.append(f"已创建辖区：{name}（{code}）")
        else:
            report.append(f"辖区已存在：{jurisdiction.name}（{code}），其设置未改动（请在“辖区设置”中修改）")

        lead = jurisdiction.lead_department
        if lead is None:
            lead = Department.objects.create(jurisdiction=jurisdiction, name=office, short_name=office[:30],
                                             kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True, sort_order=0)
            report.append(f"已创建牵头部门：{lead.name}")
        else:
            report.append(f"牵头部门已存在：{lead.name}")

        portal = _portal_root()
        home = JurisdictionHomePage.objects.filter(jurisdiction=jurisdiction).first()
        if home is None:
            if JurisdictionHomePage.objects.child_of(portal).filter(slug=slug).exists():
                raise CommandError(f"门户下已有网址片段为“{slug}”的页面，请用 --slug 另选。")
            home = JurisdictionHomePage(title=jurisdiction.name, slug=slug, jurisdiction=jurisdiction,
                                        intro=f"<p>{jurisdiction.name}市场准入负面清单工作门户。</p>")
            portal.add_child(instance=home)
            home.save_revision().publish()
            report.append(f"已创建门户首页：{home.url_path}")
        else:
            report.append(f"门户首页已存在：{home.title}")

        if hostname:
            site, created = Site.objects.update_or_create(
                hostname=hostname, port=80, defaults={"root_page": home, "site_name": jurisdiction.name})
            report.append(f"{'已创建' if created else '已更新'}门户站点：{hostname}")
            if jurisdiction.site_id != site.pk:
                jurisdiction.site = site
                jurisdiction.save(update_fields=["site"])
        else:
            report.append("未指定域名：门户首页经总门户访问")

        if apps.is_installed("zhunru.cases"):
            from zhunru.cases.models import RegisterSettings

            register = RegisterSettings.objects.filter(jurisdiction=jurisdiction).first()
            if register is None:
                RegisterSettings.for_jurisdiction(jurisdiction).save()
                report.append("已创建案例登记设置（默认编号格式）")
            else:
                report.append("案例登记设置已存在")

        report.append(f"已配置：{_provision(home, jurisdiction)}")
        return report
