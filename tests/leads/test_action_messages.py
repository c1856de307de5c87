"""The timeline's actions say what happened: who has the lead now and until when, in Beijing time."""

import re

import pytest
from django.urls import reverse

from zhunru.clock import format_date

pytestmark = pytest.mark.django_db

DATE = r"\d{4}年\d{1,2}月\d{1,2}日"


def act(client, lead, action, **data) -> str:
    response = client.post(reverse("zhunru_lead_action", args=[lead.pk, action]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("zhunru_lead_timeline", args=[lead.pk])
    texts = [m.message for m in response.context["messages"]]  # shown on the timeline, once
    assert len(texts) == 1
    return texts[0]


def test_each_step_names_the_unit_and_the_deadline(client, make_lead, depts, people):
    lead = make_lead()
    client.force_login(people["coordinator"])
    text = act(client, lead, "transfer", department=depts["market"].pk)
    stage = lead.current_stage()
    assert text == f"线索 {lead.number} 已转办至 测试区市场监督管理局，办理期限 {format_date(stage.due_date)}。"
    assert re.search(DATE + "。$", text)

    client.force_login(people["market"])
    assert act(client, lead, "accept").startswith(f"线索 {lead.number} 已签收，开始核查，核查期限 ")
    text = act(client, lead, "verify", findings="情况属实。", department=depts["housing"].pk, opinion="删除该条款。")
    stage = lead.current_stage()
    assert text == (f"线索 {lead.number} 核查结果已报告，已交 测试区住房和城乡建设局 整改，"
                    f"整改期限 {format_date(stage.due_date)}。")

    client.force_login(people["housing"])
    text = act(client, lead, "request_extension", days=5, reason="需征询上级主管部门意见。")
    assert text == f"线索 {lead.number} 的延期申请已提交，待测试市发展和改革委员会审批。"  # the higher office, from settings


def test_a_refused_step_says_why_and_no_success(client, make_lead, people):
    lead = make_lead()
    client.force_login(people["coordinator"])
    text = act(client, lead, "transfer")  # no unit chosen
    assert text.startswith("操作未完成：") and "操作已完成" not in text
