"""Demo negative list editions (2022年版, 2025年版) and service items in each seed jurisdiction; idempotent."""

import datetime

from django.db.models import Q

from zhunru.catalog.models import ListEdition, ListItem, ListMeasure, ServiceDocumentVersion, ServiceItem
from zhunru.models import Department, Jurisdiction

ITEMS = {
    "2022年版": [
        (1, "100001", "禁止违规开展金融相关经营活动", ["非金融机构不得发放贷款"], "人民银行、金融监管总局"),
        (
            2,
            "200001",
            "药品生产经营许可",
            ["未获得许可，不得从事药品生产", "未获得许可，不得从事药品批发、零售"],
            "药监局",
        ),
        (3, "200002", "食盐定点生产许可", ["未获得许可，不得从事食盐生产"], "工业和信息化部"),
    ],
    "2025年版": [
        (1, "100001", "禁止违规开展金融相关经营活动", ["非金融机构不得发放贷款"], "人民银行、金融监管总局"),
        (
            2,
            "100002",
            "禁止违规开展互联网相关经营活动",
            ["非互联网新闻信息服务单位不得从事互联网新闻信息采编发布服务"],
            "中央网信办",
        ),
        (
            3,
            "200001",
            "药品生产经营许可",
            ["未获得许可，不得从事药品生产", "未获得许可，不得从事药品网络销售"],
            "药监局",
        ),
        (4, "200003", "民用爆炸物品生产许可", ["未获得许可，不得从事民用爆炸物品生产"], "工业和信息化部"),
        (
            5,
            "200004",
            "食品生产经营许可",
            ["未获得许可，不得从事食品生产", "未获得许可，不得从事食品销售和餐饮服务"],
            "市场监管总局",
        ),
        (6, "200005", "道路旅客运输经营许可", ["未获得许可，不得从事道路旅客运输经营"], "交通运输部"),
    ],
}
EFFECTIVE = {"2022年版": datetime.date(2022, 3, 12), "2025年版": datetime.date(2025, 4, 24)}
BASIS = "《中华人民共和国行政许可法》及相关法律、行政法规"
SERVICES = [
    (
        "200001",
        "药品经营许可证核发",
        {
            "authority": "县级",
            "process": "申请—受理—审查—决定—送达",
            "materials": "药品经营许可证申请表\n营业执照\n质量管理文件\n经营场所证明",
            "time_limit": "15个工作日",
            "fees": "不收费",
            "channel": "网上办理、窗口办理",
        },
    ),
    (
        "200004",
        "食品经营许可",
        {
            "authority": "县级",
            "process": "申请—受理—审查（含现场核查）—决定—发证",
            "materials": "食品经营许可申请书\n营业执照\n与食品经营相适应的场所、设备布局图\n食品安全管理制度",
            "conditions": "具有与经营的食品品种、数量相适应的经营场所。",
            "time_limit": "10个工作日",
            "fees": "不收费",
            "channel": "网上办理、窗口办理",
        },
    ),
]


def load(stdout) -> None:
    from zhunru.catalog.documents import add_version, pdf_upload

    for name, rows in ITEMS.items():
        edition, _ = ListEdition.objects.get_or_create(name=name, defaults={"effective_date": EFFECTIVE[name]})
        for number, code, title, measures, departments in rows:
            item, created = ListItem.objects.get_or_create(
                edition=edition,
                code=code,
                defaults={
                    "number": number,
                    "kind": "prohibited" if code[0] == "1" else "permitted",
                    "name": title,
                    "departments": departments,
                },
            )
            if created:
                ListMeasure.objects.bulk_create(
                    ListMeasure(item=item, position=i, text=t, legal_basis=BASIS if code[0] == "2" else "")
                    for i, t in enumerate(measures, 1)
                )
    current = ListEdition.objects.get(name="2025年版")
    if not ListEdition.objects.filter(is_active=True).exists():
        current.is_active = True
        current.save(update_fields=["is_active"])
    # The offices with a portal, or with no office under them: a higher-level office on the installation only
    # to approve its lower offices' extensions (the demo's 景德镇市, 临汾市) gets no service items.
    for jurisdiction in Jurisdiction.objects.filter(Q(site__isnull=False) | Q(children__isnull=True)).distinct():
        department = (
            Department.objects.filter(jurisdiction=jurisdiction, kind=Department.Kind.MARKET_REGULATION)
            .order_by("pk")
            .first()
            or Department.objects.filter(jurisdiction=jurisdiction).order_by("pk").first()
        )
        if department is None:
            continue
        for code, name, fields in SERVICES:
            service, created = ServiceItem.objects.get_or_create(
                department=department, name=name, defaults={**fields, "published": True}
            )
            if not created:
                continue
            service.list_items.add(current.items.get(code=code))
            for kind, label in ServiceDocumentVersion.KIND_CHOICES:
                body = (
                    f"{name}{label}（示例）\n办理依据：{BASIS}。\n受理条件与申请材料：{fields['materials']}。"
                    f"\n办理流程：{fields['process']}。\n办理时限：{fields['time_limit']}。"
                )
                add_version(
                    service,
                    kind,
                    effective_date=datetime.date(2025, 5, 1),
                    change_note="首次发布",
                    body=body,
                    upload=pdf_upload(f"{name}{label}.pdf", f"{jurisdiction.name}{department.name}{name}{label}", body),
                    publish=True,
                )
    stdout.write("负面清单与政务服务事项示例数据已就绪。\n")
