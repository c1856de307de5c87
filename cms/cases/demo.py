"""Demo content of the register: a few registered cases per seed jurisdiction and one published bulletin."""

import datetime

from django.db import transaction

from zhunru.cases.models import (
    BulletinCase,
    BulletinIndexPage,
    BulletinPage,
    Case,
    Category,
    Importance,
    InspectionCampaign,
    LedgerEntry,
    Source,
    Status,
)
from zhunru.cases.workflow import attach_to_all_indexes
from zhunru.models import Department, Jurisdiction, JurisdictionHomePage

DEMO_CASES = {
    "360202": [
        {
            "key": "cj-1",
            "title": "某街道在招商引资中要求企业承诺本地纳税方可办理开办手续",
            "region": "景德镇市昌江区",
            "organization": "昌江区某街道办事处",
            "department": "昌江区行政审批局",
            "document_name": "关于进一步做好招商引资项目落地服务的通知",
            "document_number": "（内部工作文件）",
            "category": Category.ENTRY_CONDITIONS,
            "subcategory": "extra_approval",
            "source": Source.ENTERPRISE,
            "importance": Importance.IMPORTANT,
            "facts_date": datetime.date(2025, 11, 3),
            "summary": "某街道在为企业办理开办手续前，要求企业书面承诺在本地纳税并达到一定规模，否则不予协助办理，"
            "实际上在负面清单之外增设了准入条件。",
            "violated_clause": "《市场准入负面清单（2025年版）》说明：清单以外的行业、领域、业务等，各类经营主体皆可依法平等进入。",
            "handling_result": "区发改委会同区行政审批局约谈该街道，相关要求已停止执行，涉及企业已正常办理开办手续。",
            "keywords": "增设准入条件、招商引资、纳税承诺",
            "source_person": "某商贸有限公司（匿名反映）",
            "internal_notes": "反映企业要求不公开名称。",
        },
        {
            "key": "cj-2",
            "title": "某工程项目招标公告限定本地注册企业投标",
            "region": "景德镇市昌江区",
            "organization": "昌江区某国有平台公司",
            "department": "昌江区住房和城乡建设局",
            "document_name": "某道路改造工程施工招标公告",
            "document_number": "",
            "category": Category.DISCRIMINATORY,
            "subcategory": "bidding",
            "source": Source.REGULATOR,
            "importance": Importance.MAJOR,
            "facts_date": datetime.date(2025, 12, 8),
            "summary": "招标公告要求投标人须为本区注册企业或在本区设有分公司，排斥外地企业参与投标。",
            "violated_clause": "《中华人民共和国招标投标法》第六条；《公平竞争审查条例》第九条。",
            "handling_result": "招标人已发布更正公告删除该条款，并延长投标截止时间。",
            "keywords": "招投标、外地企业、歧视性条款",
            "internal_notes": "住建局已对平台公司相关人员批评教育。",
        },
        {
            "key": "cj-3",
            "title": "某公司伪造资质证书参与政府采购",
            "region": "景德镇市昌江区",
            "organization": "某环境工程有限公司",
            "department": "昌江区市场监督管理局",
            "category": Category.UNFAIR_COMPETITION,
            "subcategory": "false_qualification",
            "source": Source.ENFORCEMENT,
            "importance": Importance.GENERAL,
            "facts_date": datetime.date(2025, 9, 19),
            "summary": "该公司在政府采购项目中提交伪造的资质证书，排挤其他合格供应商。",
            "violated_clause": "《中华人民共和国政府采购法》第七十七条。",
            "handling_result": "已取消其中标资格，依法处以罚款并列入不良行为记录名单。",
            "keywords": "虚假资质、政府采购",
            "archive": True,
        },
    ],
    "141081": [
        {
            "key": "hm-1",
            "title": "某部门对民营企业设置高于国有企业的准入门槛",
            "region": "侯马市",
            "organization": "侯马市某行业主管部门",
            "department": "侯马市工业和信息化局",
            "category": Category.DISCRIMINATORY,
            "subcategory": "ownership",
            "source": Source.PUBLIC,
            "importance": Importance.IMPORTANT,
            "facts_date": datetime.date(2025, 10, 14),
            "summary": "在项目申报中要求民营企业额外提供注册资本证明，对国有企业不作要求。",
            "violated_clause": "《优化营商环境条例》第十二条。",
            "handling_result": "已修改申报指南，统一各类所有制企业的申报要求。",
            "keywords": "所有制歧视、申报条件",
            "source_person": "王某（12345 热线）",
            "source_contact": "经 12345 热线转办",
        },
        {
            "key": "hm-2",
            "title": "某行业协会限制非会员企业承接本地业务",
            "region": "侯马市",
            "organization": "侯马市某行业协会",
            "department": "侯马市市场监督管理局",
            "category": Category.UNFAIR_COMPETITION,
            "subcategory": "administrative_monopoly",
            "source": Source.ENTERPRISE,
            "importance": Importance.GENERAL,
            "facts_date": datetime.date(2025, 8, 2),
            "summary": "该协会通过自律公约要求会员单位不得与非会员企业合作，排除、限制了本行业经营主体的平等准入。",
            "violated_clause": "《中华人民共和国反垄断法》第二十一条。",
            "handling_result": "协会已废止相关公约条款并公开致歉。",
            "keywords": "行业协会、排除限制竞争",
        },
        {
            "key": "hm-3",
            "title": "某乡镇超出负面清单增设项目备案前置环节",
            "region": "侯马市",
            "organization": "侯马市某镇人民政府",
            "department": "侯马市行政审批服务管理局",
            "category": Category.ENTRY_CONDITIONS,
            "subcategory": "extra_approval",
            "source": Source.REGULATOR,
            "importance": Importance.GENERAL,
            "facts_date": datetime.date(2025, 12, 20),
            "summary": "在企业投资项目备案前增设“镇级同意意见”环节，无法律法规依据。",
            "violated_clause": "《企业投资项目核准和备案管理条例》第十三条。",
            "handling_result": "已取消该前置环节。",
            "keywords": "增设审批环节、项目备案",
        },
    ],
}

BULLETIN = {
    "division_code": "360202",
    "slug": "2026-1",
    "title": "关于2026年第一批市场准入典型违规案例的通报",
    "document_number": "昌发改〔2026〕3号",
    "issue_date": datetime.date(2026, 3, 16),
    "intro": "<p>为强化市场准入负面清单制度的刚性约束，发挥典型案例的示范和警示作用，"
    "经司法审核，现将近期查处的典型违规案例通报如下。</p>",
    "closing": "<p>各部门要引以为戒，举一反三，对照负面清单开展自查，坚决破除地方保护和隐性壁垒。</p>",
    "cases": [("cj-1", "以承诺纳税为条件办理开办手续，属于清单之外增设准入条件。"),
              ("cj-2", "限定本地企业投标，排斥外地经营主体公平参与竞争。")],
}


def _department(jurisdiction: Jurisdiction, name: str | None) -> Department:
    if name:
        found = Department.objects.filter(jurisdiction=jurisdiction, name=name).first()
        if found is not None:
            return found
    return jurisdiction.lead_department


def _case(jurisdiction: Jurisdiction, spec: dict) -> Case:
    key = f"demo:{spec['key']}"
    case = Case.objects.filter(jurisdiction=jurisdiction, import_key=key).first()
    if case is not None:
        return case
    fields = {k: v for k, v in spec.items() if k not in ("key", "department", "archive")}
    case = Case.objects.create(
        jurisdiction=jurisdiction,
        reporting_department=_department(jurisdiction, spec.get("department")),
        source_department=_department(jurisdiction, spec.get("department")),
        import_key=key,
        **fields,
    )
    case.register()
    if spec.get("archive"):
        case.start_review()
        case.archive()
    return case


def _index(jurisdiction: Jurisdiction) -> BulletinIndexPage | None:
    home = JurisdictionHomePage.objects.filter(jurisdiction=jurisdiction).first()
    if home is None:
        return None
    index = BulletinIndexPage.objects.child_of(home).first()
    if index is None:
        index = BulletinIndexPage(title="典型案例通报", slug="bulletins",
                                  intro="<p>市场准入典型违规案例通报，发挥典型案例的示范和警示作用。</p>")
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def _bulletin(index: BulletinIndexPage, cases: dict[str, Case]) -> BulletinPage:
    page = BulletinPage.objects.child_of(index).filter(slug=BULLETIN["slug"]).first()
    if page is not None:
        return page
    jurisdiction = index.get_parent().specific.jurisdiction
    lead = jurisdiction.lead_department
    page = BulletinPage(
        title=BULLETIN["title"],
        slug=BULLETIN["slug"],
        document_number=BULLETIN["document_number"],
        issuing_office=lead.name if lead else jurisdiction.name,
        issue_date=BULLETIN["issue_date"],
        intro=BULLETIN["intro"],
        closing=BULLETIN["closing"],
        live=False,
    )
    page.bulletin_cases = [BulletinCase(case=cases[key], commentary=comment) for key, comment in BULLETIN["cases"]]
    index.add_child(instance=page)
    # The loader publishes directly (no user, so no permission check); editors go through the workflow.
    page.save_revision().publish()
    return page


def _campaign(jurisdiction: Jurisdiction) -> None:
    title = "2026年市场准入政策文件和审批流程自查"
    campaign, created = InspectionCampaign.objects.get_or_create(
        jurisdiction=jurisdiction,
        title=title,
        defaults={"starts_on": datetime.date(2026, 4, 1), "ends_on": datetime.date(2026, 6, 30),
                  "description": "对照市场准入负面清单，清理政策文件和审批流程中的隐性壁垒。"},
    )
    if not created:
        return
    departments = list(jurisdiction.departments.exclude(is_lead=True)[:3])
    campaign.departments.set(departments)
    if departments:
        LedgerEntry.objects.create(
            campaign=campaign,
            department=departments[0],
            responsible_unit=departments[0],
            problem="某规范性文件要求申请人提供本地社保缴纳证明",
            basis="《市场准入负面清单（2025年版）》说明第二条",
            measure="修订文件，删除本地社保缴纳证明要求",
            deadline=datetime.date(2026, 6, 15),
        )


@transaction.atomic
def load(stdout=None) -> None:
    """Create the demo cases, the bulletin index of each jurisdiction and one published bulletin; idempotent."""
    created_cases = 0
    for division_code, specs in DEMO_CASES.items():
        jurisdiction = Jurisdiction.objects.filter(division_code=division_code).first()
        if jurisdiction is None:
            continue
        before = Case.objects.filter(jurisdiction=jurisdiction).count()
        cases = {spec["key"]: _case(jurisdiction, spec) for spec in specs}
        created_cases += Case.objects.filter(jurisdiction=jurisdiction).count() - before
        index = _index(jurisdiction)
        if index is not None and division_code == BULLETIN["division_code"]:
            _bulletin(index, cases)
        _campaign(jurisdiction)
    attach_to_all_indexes()
    if stdout is not None:
        registered = Case.objects.filter(status__in=[Status.REGISTERED, Status.UNDER_REVIEW, Status.ARCHIVED]).count()
        stdout.write(f"案例登记簿：新增 {created_cases} 件，共 {registered} 件已登记；已发布典型案例通报 "
                     f"{BulletinPage.objects.live().count()} 期。")
