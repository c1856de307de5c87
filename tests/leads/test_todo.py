"""The admin home's 待办 panel: each person sees the work waiting for them, soonest deadline first."""

import uuid

from django.urls import reverse

from zhunru.leads.todo import todo_sections


def titles(user) -> dict:
    return {s["title"]: s for s in todo_sections(user)}


def test_each_person_sees_what_waits_for_them(make_lead, depts, people, jurisdiction):
    from zhunru.portal.models import Complaint

    first, second = make_lead(title="甲案"), make_lead(title="乙案")
    first.transfer(to=depts["market"], by=people["coordinator"])
    first.accept(by=people["market"])
    first.request_extension(by=people["market"], days=2, reason="需调取招标档案")
    Complaint.objects.create(jurisdiction=jurisdiction, description="招标公告要求本地注册。", organization="某街道办事处",
                             submission_token=uuid.uuid4())

    market = titles(people["market"])
    assert list(market) == ["我的线索"] and market["我的线索"]["count"] == 1
    text, url, due, overdue = market["我的线索"]["items"][0]
    assert first.number in text and "核查" in text and url == reverse("zhunru_lead_timeline", args=[first.pk])

    coordinator = titles(people["coordinator"])
    assert coordinator["我的线索"]["count"] == 1 and second.number in coordinator["我的线索"]["items"][0][0]
    assert coordinator["待分拣的问题反映"]["count"] == 1

    approver = titles(people["approver"])
    assert approver["待审批的延期申请"]["count"] == 1 and "申请延期 2 个工作日" in approver["待审批的延期申请"]["items"][0][0]

    assert titles(people["housing"]) == {}


def test_co_handling_waits_until_answered(make_lead, depts, people):
    from zhunru.leads.models import CoHandling

    lead = make_lead()
    lead.transfer(to=depts["market"], by=people["coordinator"])
    co = CoHandling.set_up(lead, department=depts["justice"], task="审查招标文件条款的合法性", method="joint_investigation",
                           form="letter", limit_amount=3, by=people["market"])
    assert titles(people["justice"])["待反馈的协办"]["count"] == 1
    co.respond(answer="相关条款违反公平竞争审查规定。", by=people["justice"])
    assert "待反馈的协办" not in titles(people["justice"])


def test_the_panel_is_on_the_admin_home(client, make_lead, depts, people):
    lead = make_lead(title="丙案")
    lead.transfer(to=depts["market"], by=people["coordinator"])
    client.force_login(people["market"])
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "待办" in body and "我的线索（1 项）" in body and lead.number in body
