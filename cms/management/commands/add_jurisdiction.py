"""``manage.py add_jurisdiction``: set up a new office (辖区) on this installation; re-running is harmless."""

import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext
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
        return gettext("角色组、页面权限、媒体集合和审核流程")
    roles.page_permissions_for_editors(home)
    return gettext("编辑页面权限")


class Command(BaseCommand):
    help = gettext("新增一个辖区：创建辖区、牵头部门、门户站点和首页、案例登记设置，并配置各角色权限。"
            "可重复运行：已存在的部分保持不变并如实报告。")

    def add_arguments(self, parser):
        parser.add_argument("division_code", help=gettext("6 位行政区划代码，如 141081"))
        parser.add_argument("name", help=gettext("辖区名称，如 侯马市"))
        parser.add_argument("--short-name", required=True, help=gettext("简称（用于编号），如 侯"))
        parser.add_argument("--level", required=True,
                            help=gettext("行政级别：") + "、".join(f"{v}（{label}）" for v, label in Jurisdiction.Level.choices))
        parser.add_argument("--office-name", required=True, help=gettext("发展改革部门全称，如 侯马市发展和改革局"))
        parser.add_argument("--parent", default="", help=gettext("上级辖区的行政区划代码（上级机关也使用本系统时）"))
        parser.add_argument("--higher-office", default="", help=gettext("上级发展改革部门名称（上级不在本系统时）"))
        parser.add_argument("--escalates-to", default="", help=gettext("督办上报的本级人民政府，如 侯马市人民政府"))
        parser.add_argument("--hostname", default="", help=gettext("门户站点域名（可选），如 houma.example.gov.cn"))
        parser.add_argument("--slug", default="", help=gettext("门户首页的网址片段（可选，默认按区划代码）"))

    def handle(self, *args, **options):
        code = options["division_code"].strip()
        name = options["name"].strip()
        if not re.fullmatch(r"\d{6}", code):
            raise CommandError(gettext("行政区划代码应为 6 位数字，收到“{code}”。").format(code=code))
        if not name:
            raise CommandError(gettext("请填写辖区名称。"))
        level = LEVELS.get(options["level"].strip())
        if level is None:
            raise CommandError(gettext("行政级别无效，可选：") + "、".join(
                f"{v}（{label}）" for v, label in Jurisdiction.Level.choices) + "。")
        short = options["short_name"].strip()
        office = options["office_name"].strip()
        if not short or not office:
            raise CommandError(gettext("请填写简称和发展改革部门全称。"))
        parent = None
        if options["parent"]:
            parent = Jurisdiction.objects.filter(division_code=options["parent"].strip()).first()
            if parent is None:
                raise CommandError(gettext("上级辖区（行政区划代码 {value}）不存在，请先添加上级辖区。").format(value=options['parent']))
            if parent.division_code == code:
                raise CommandError(gettext("上级辖区不能是本辖区。"))
        hostname = options["hostname"].strip().lower()
        if hostname and not _HOSTNAME.match(hostname):
            raise CommandError(gettext("域名“{hostname}”格式不正确。").format(hostname=hostname))
        clash = Jurisdiction.objects.filter(name=name).exclude(division_code=code).first()
        if clash is not None:
            raise CommandError(gettext("名称“{name}”已被辖区 {division_code} 使用。").format(name=name, division_code=clash.division_code))
        if hostname:
            site_clash = Site.objects.filter(hostname=hostname, port=80).exclude(
                jurisdiction__division_code=code).first()
            if site_clash is not None:
                raise CommandError(gettext("域名“{hostname}”已被站点“{value}”使用。").format(hostname=hostname, value=site_clash.site_name or site_clash.hostname))
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
            report.append(gettext("已创建辖区：{name}（{code}）").format(name=name, code=code))
        else:
            report.append(gettext("辖区已存在：{name}（{code}），其设置未改动（请在“辖区设置”中修改）").format(name=jurisdiction.name, code=code))

        lead = jurisdiction.lead_department
        if lead is None:
            lead = Department.objects.create(jurisdiction=jurisdiction, name=office, short_name=office[:30],
                                             kind=Department.Kind.DEVELOPMENT_REFORM, is_lead=True, sort_order=0)
            report.append(gettext("已创建牵头部门：{name}").format(name=lead.name))
        else:
            report.append(gettext("牵头部门已存在：{name}").format(name=lead.name))

        portal = _portal_root()
        home = JurisdictionHomePage.objects.filter(jurisdiction=jurisdiction).first()
        if home is None:
            if JurisdictionHomePage.objects.child_of(portal).filter(slug=slug).exists():
                raise CommandError(gettext("门户下已有网址片段为“{slug}”的页面，请用 --slug 另选。").format(slug=slug))
            home = JurisdictionHomePage(title=jurisdiction.name, slug=slug, jurisdiction=jurisdiction,
                                        intro=gettext("<p>{name}市场准入负面清单工作门户。</p>").format(name=jurisdiction.name))
            portal.add_child(instance=home)
            home.save_revision().publish()
            report.append(gettext("已创建门户首页：{url_path}").format(url_path=home.url_path))
        else:
            report.append(gettext("门户首页已存在：{title}").format(title=home.title))

        if hostname:
            site, created = Site.objects.update_or_create(
                hostname=hostname, port=80, defaults={"root_page": home, "site_name": jurisdiction.name})
            report.append(gettext("{value}门户站点：{hostname}").format(value=gettext('已创建') if created else gettext('已更新'), hostname=hostname))
            if jurisdiction.site_id != site.pk:
                jurisdiction.site = site
                jurisdiction.save(update_fields=["site"])
        else:
            report.append(gettext("未指定域名：门户首页经总门户访问"))

        if apps.is_installed("zhunru.cases"):
            from zhunru.cases.models import RegisterSettings

            register = RegisterSettings.objects.filter(jurisdiction=jurisdiction).first()
            if register is None:
                RegisterSettings.for_jurisdiction(jurisdiction).save()
                report.append(gettext("已创建案例登记设置（默认编号格式）"))
            else:
                report.append(gettext("案例登记设置已存在"))

        report.append(gettext("已配置：{provision}").format(provision=_provision(home, jurisdiction)))
        return report
