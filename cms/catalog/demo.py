"""Demo negative list editions (2022年版, 2025年版) and service items in each seed jurisdiction; idempotent."""

import datetime

from cms.catalog.models import ListEdition, ListItem, ListMeasure, ServiceDocumentVersion, ServiceItem
from cms.models import Department, Jurisdiction

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
            "200001",
            "药品生产经营许可",
            ["未获得许可，不得从事药品生产", "未获得许可，不得从事药品网络销售"],
            "药监局",
        ),
        (3, "200003", "民用爆炸物品生产许可", ["未获得许可，不得从事民用爆炸物品生产"], "工业和信息化部"),
    ],
}


def load(stdout) -> None:
    for name, rows in ITEMS.items():
        edition, _ = ListEdition.objects.get_or_create(name=name)
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
                    ListMeasure(item=item, position=i, text=t) for i, t in enumerate(measures, 1)
                )
    current = ListEdition.objects.get(name="2025年版")
    if not ListEdition.objects.filter(is_active=True).exists():
        current.is_active = True
        current.save(update_fields=["is_active"])
    for jurisdiction in Jurisdiction.objects.all():
        department = Department.objects.filter(jurisdiction=jurisdiction).order_by("pk").first()
        if department is None:
            continue
        service, created = ServiceItem.objects.get_or_create(
            department=department,
            name="药品经营许可证核发",
            defaults={
                "authority": "县级",
                "process": "申请—受理—审查—决定—送达",
                "materials": "申请书\n营业执照\n质量管理文件",
                "time_limit": "15个工作日",
                "fees": "不收费",
                "channel": "网上办理、窗口办理",
                "published": True,
            },
        )
        if created:
            service.list_items.add(current.items.get(code="200001"))
            for kind in (ServiceDocumentVersion.GUIDE, ServiceDocumentVersion.MODEL_TEXT):
                ServiceDocumentVersion.objects.create(
                    service_item=service,
                    kind=kind,
                    version=1,
                    effective_date=datetime.date(2025, 1, 1),
                    change_note="首次发布",
                    body="（示例）办理条件、材料与流程。",
                    published=True,
                )
    stdout.write("负面清单与政务服务事项示例数据已就绪。\n")
