"""Demo content: market subjects, commitments (one breached), platforms pointing at the local simulator."""

import datetime

from django.db import transaction
from django.utils import timezone

from zhunru.credit import conf
from zhunru.credit.models import CreditCommitment, CreditPlatform, ListMembership, MarketSubject
from zhunru.models import Department, Jurisdiction
from zhunru.validators import uscc_check_character

SIMULATOR_URL = conf.get("DEMO_SIMULATOR_URL")

PLATFORMS = [
    # code, name, jurisdiction division code (None = national), path on the simulator
    ("xinyongzhongguo", "信用中国", None, "national/"),
    ("jiangxi", "江西省公共信用信息平台", "360202", "jiangxi/"),
    ("shanxi", "山西政务平台", "141081", "shanxi/"),
]

SUBJECTS = [
    # name, first 17 characters of the code, legal representative, class, division code
    ("景德镇市昌江区瓷都陶瓷文化有限公司", "91360202MA35X1C0Q", "李明", "trustworthy", "360202"),
    ("昌江区鱼山农民专业合作社", "N2360202MA35Y2D1R", "王建国", "general", "360202"),
    ("景德镇市昌江区速达物流有限公司", "91360202MA36A4F3T", "陈晓", "dishonest", "360202"),
    ("侯马市晋韵餐饮管理有限公司", "91141081MA0K5B6C7", "赵丽", "general", "141081"),
    ("侯马市新田建材有限公司", "91141081MA0L7D8E9", "孙强", "general", "141081"),
]


def _uscc(first17: str) -> str:
    return first17 + uscc_check_character(first17)


def load(stdout) -> None:
    created = 0
    with transaction.atomic():
        for code, name, division, suffix in PLATFORMS:
            j = Jurisdiction.objects.filter(division_code=division).first() if division else None
            if division and j is None:
                continue
            _, new = CreditPlatform.objects.get_or_create(
                code=code, defaults={"name": name, "jurisdiction": j, "endpoint_url": SIMULATOR_URL + suffix,
                                     "hmac_key_ref": "demo"})
            created += new
        subjects = {}
        for name, first17, rep, klass, division in SUBJECTS:
            j = Jurisdiction.objects.filter(division_code=division).first()
            s, new = MarketSubject.objects.get_or_create(
                uscc=_uscc(first17),
                defaults={"name": name, "legal_representative": rep, "credit_class": klass, "jurisdiction": j})
            subjects[name] = s
            created += new
        cs = subjects["景德镇市昌江区速达物流有限公司"]
        if not cs.list_memberships.exists():
            ListMembership.objects.create(subject=cs, list_kind="abnormal", added_on=datetime.date(2026, 6, 30),
                                          added_reason="未按规定期限公示年度报告", source="昌江区市场监督管理局")
        today = timezone.localdate()
        demo_commitments = [
            ("景德镇市昌江区瓷都陶瓷文化有限公司", "360202", "食品经营许可（告知承诺）",
             "六十日内补交营业场所消防安全检查合格证明", today + datetime.timedelta(days=45)),
            ("昌江区鱼山农民专业合作社", "360202", "农药经营许可（容缺受理）",
             "十五日内补交仓储场所平面图", today - datetime.timedelta(days=3)),  # breached by the check below
            ("侯马市晋韵餐饮管理有限公司", "141081", "公共场所卫生许可（告知承诺）",
             "三十日内补交从业人员健康证明", today + datetime.timedelta(days=20)),
        ]
        for subject_name, division, permit, promise, due in demo_commitments:
            s = subjects[subject_name]
            if s.commitments.filter(permit_name=permit).exists():
                continue
            j = Jurisdiction.objects.get(division_code=division)
            dept = Department.objects.filter(jurisdiction=j, kind=Department.Kind.ADMINISTRATIVE_APPROVAL).first()
            CreditCommitment.grant(subject=s, jurisdiction=j, department=dept, permit_name=permit, promise=promise,
                                   due_date=due, kind="tolerance" if "容缺" in permit else "notification")
            created += 1
    from zhunru.credit.delivery import check_due_commitments

    breached = check_due_commitments()
    stdout.write(f"信用：新建 {created} 条演示数据，认定违约 {breached} 条（平台指向模拟器 {SIMULATOR_URL}）")


def start_simulator(stdout):
    """For `make run`: the simulator in a background thread, with a few feed events to pull."""
    from urllib.parse import urlsplit

    from zhunru.credit.simulator import Simulator

    url = urlsplit(SIMULATOR_URL)
    try:
        sim = Simulator(url.hostname, url.port or 80, key=conf.resolve_key("demo")).start()
    except OSError as exc:
        stdout.write(f"信用平台模拟器未启动（{exc}）；如已另行运行 manage.py credit_simulator 可忽略。")
        return None
    co_op = _uscc(SUBJECTS[1][1])
    sim.add_feed("jiangxi", [
        {"event_id": "JX-DEMO-1", "type": "list_add", "uscc": co_op, "list": "abnormal", "date": "2026-11-01",
         "reason": "通过登记的住所无法联系"},
        {"event_id": "JX-DEMO-2", "type": "class_change", "uscc": "91360202MA35X1C0QX", "credit_class": "dishonest"},
    ])
    sim.add_feed("shanxi", [
        {"event_id": "SX-DEMO-1", "type": "class_change", "uscc": _uscc(SUBJECTS[4][1]),
         "credit_class": "trustworthy", "reason": "连续三年无不良信用记录"},
    ])
    stdout.write(f"信用平台模拟器：{sim.url}")
    return sim
