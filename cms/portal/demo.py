"""Demo content of the portal: complaint channels per jurisdiction and one sample complaint each."""

import uuid

from django.db import transaction

from zhunru.models import Jurisdiction
from zhunru.portal.models import Complaint, Hotline

HOTLINES = {
    "360202": [
        ("12345 政务服务便民热线", "12345", "", "7×24 小时", None),
        ("昌江区发展和改革委员会 市场准入问题反映电话", "0798-8888888", "", "工作日 8:30—12:00，14:30—17:30",
         "昌江区发展和改革委员会"),
        ("江西政务服务网 “好差评”与投诉", "", "https://www.jxzwfww.gov.cn/", "全天", None),
    ],
    "141081": [
        ("12345 政务服务便民热线", "12345", "", "7×24 小时", None),
        ("侯马市发展和改革局 市场准入问题反映电话", "0357-4200000", "", "工作日 8:00—12:00，15:00—18:00",
         "侯马市发展和改革局"),
    ],
}

# Fixed tokens and codes, so running the loader twice creates nothing new (and benchmarks can look them up).
SAMPLE_COMPLAINTS = {
    "360202": ("DEMX2345CJQR", "某街道办事处在招投标公告中要求投标企业在本区注册分公司，外地企业无法参加投标。",
               "某街道办事处", "某项目招标公告"),
    "141081": ("DEMX2345HMQR", "办理食品经营许可时，窗口要求额外提供负面清单以外的本地担保证明。",
               "某审批窗口", "窗口口头要求"),
}


@transaction.atomic
def load(stdout=None) -> None:
    created = 0
    for code, rows in HOTLINES.items():
        jurisdiction = Jurisdiction.objects.filter(division_code=code).first()
        if jurisdiction is None:
            continue
        for order, (name, number, url, hours, department_name) in enumerate(rows):
            department = jurisdiction.departments.filter(name=department_name).first() if department_name else None
            _hotline, new = Hotline.objects.update_or_create(
                jurisdiction=jurisdiction, name=name,
                defaults={"number": number, "url": url, "service_hours": hours, "department": department,
                          "sort_order": order * 10},
            )
            created += new
        receipt, description, organization, document = SAMPLE_COMPLAINTS[code]
        _complaint, new = Complaint.objects.get_or_create(
            submission_token=uuid.uuid5(uuid.NAMESPACE_URL, f"zhunru-demo-complaint-{code}"),
            defaults={
                "jurisdiction": jurisdiction, "receipt_code": receipt, "description": description,
                "organization": organization, "document_or_practice": document, "consent": True,
                "contact_name": "演示联系人", "contact_phone": "13800000000",
            },
        )
        created += new
    if stdout is not None:
        stdout.write(f"门户演示数据：新建 {created} 条（投诉渠道与示例问题反映）。")
