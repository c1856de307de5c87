"""Demo leads: a handful per seed jurisdiction, in different states (idempotent)."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from zhunru import roles
from zhunru.leads.models import Lead
from zhunru.models import Department, DepartmentMembership, Jurisdiction

DEMO = {
    "360202": {"slug": "changjiang", "market": "昌江区市场监督管理局", "responsible": "昌江区住房和城乡建设局",
               "approval": "昌江区行政审批局"},
    "141081": {"slug": "houma", "market": "侯马市市场监督管理局", "responsible": "侯马市交通运输局",
               "approval": "侯马市行政审批服务管理局"},
}


def _user(username: str, role: str, department: Department):
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{username}@example.invalid"})
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=role))
    DepartmentMembership.objects.get_or_create(user=user, department=department)
    return user


def _backdate(lead: Lead, days: int) -> None:
    """Move the lead's open stage back so the demo shows an overdue stage."""
    stage = lead.current_stage()
    stage.started_at = timezone.now() - datetime.timedelta(days=days)
    stage.compute()
    stage.save()


@transaction.atomic
def _load_one(j: Jurisdiction, cfg: dict) -> int:
    depts = {d.name: d for d in j.departments.all()}
    lead_dept = j.lead_department
    coord = _user(f"{cfg['slug']}-coordinator", roles.COORDINATOR, lead_dept)
    market = _user(f"{cfg['slug']}-market", roles.DEPARTMENT_OFFICER, depts[cfg["market"]])
    resp = _user(f"{cfg['slug']}-responsible", roles.DEPARTMENT_OFFICER, depts[cfg["responsible"]])
    # The approver works at the higher-level office (the parent jurisdiction), which approves extensions.
    _user(f"{cfg['slug']}-approver", roles.EXTENSION_APPROVER, j.parent.lead_department if j.parent_id else lead_dept)
    now = timezone.now()
    made = 0

    def lead(title, **kw):
        nonlocal made
        existing = Lead.objects.filter(jurisdiction=j, title=title).first()
        if existing:
            return None
        made += 1
        return Lead.objects.create_lead(jurisdiction=j, title=title, by=coord, **kw)

    lead("群众反映某小区物业招标要求投标人在本地注册", source=Lead.Source.COMPLAINT, received_at=now,
         description="投诉人称招标公告要求投标企业须在本区注册且有本地业绩。", subject_name="某物业服务有限公司")
    if x := lead("省级移交：某项目审批增设前置备案", source=Lead.Source.PROVINCIAL, received_at=now - datetime.timedelta(days=9),
                 reporter="省发展改革委", description="审批窗口要求企业先行办理负面清单外的备案手续。"):
        x.transfer(to=depts[cfg["approval"]], by=coord, note="请 3 个工作日内核查")
        _backdate(x, 9)
    if x := lead("部门报送：道路运输经营许可要求本地车辆比例", source=Lead.Source.DEPARTMENT,
                 received_at=now - datetime.timedelta(days=3), description="许可办理指南要求本地牌照车辆不少于 80%。"):
        x.transfer(to=depts[cfg["market"]], by=coord)
        x.accept(by=market)
        x.verify(by=market, findings="情况属实，办事指南第五条设置了本地车辆比例要求。", responsible_unit=depts[cfg["responsible"]],
                 opinion="删除本地车辆比例要求，重新发布办事指南。")
        x.request_extension(by=resp, days=5, reason="需征询上级主管部门意见后修订办事指南。")
    if x := lead("自查发现：政府采购公告限定所有制形式", source=Lead.Source.INSPECTION,
                 received_at=now - datetime.timedelta(days=20), subject_name=""):
        x.transfer(to=depts[cfg["market"]], by=coord)
        x.verify(by=market, findings="采购公告第三条限定国有企业参与。", responsible_unit=depts[cfg["responsible"]],
                 opinion="撤回公告，删除所有制限制后重新发布。")
        x.report(by=resp, summary="已撤回原公告并重新发布，附新公告。")
        x.close(by=coord, note="整改到位，办结。")
    if x := lead("市级移交：某镇要求外地企业设立分支机构方可经营", source=Lead.Source.MUNICIPAL,
                 received_at=now - datetime.timedelta(days=6)):
        _backdate(x, 6)
    return made


def load(stdout=None) -> None:
    roles.sync_roles()
    total = 0
    for code, cfg in DEMO.items():
        j = Jurisdiction.objects.filter(division_code=code).first()
        if j is None or j.lead_department is None:
            continue
        total += _load_one(j, cfg)
    if stdout is not None:
        stdout.write(f"已载入示例线索：新增 {total} 条")
