"""Demo content from the two source notices: jurisdictions, departments, sites, policy pages."""

import datetime
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from wagtail.models import Page, Site

from zhunru import roles
from zhunru.models import (
    Department,
    Jurisdiction,
    JurisdictionHomePage,
    PolicyIndexPage,
    PolicyPage,
    PortalIndexPage,
)
from zhunru.mounts import plugin_prefix

SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"

DEMO_PORT = 8000  # `make run` serves http://127.0.0.1:8000


@dataclass
class HigherOffice:
    """The higher-level jurisdiction a seed's notice names for extension approvals (section 十二(三)): on this
    installation with its development and reform office, so its approver approves the seed's requests."""

    name: str
    short_name: str
    division_code: str
    office: str
    office_short: str
    level: str = Jurisdiction.Level.CITY


@dataclass
class Seed:
    name: str
    short_name: str
    level: str
    division_code: str
    higher_office: str
    hostname: str
    slug: str
    notice_file: str
    notice_title: str
    issuer: str
    issue_date: datetime.date | None
    departments: list[tuple[str, str, str, bool]] = field(default_factory=list)
    escalates_to: str = ""  # the government an overdue lead is escalated to
    parent: HigherOffice | None = None


SEED_JURISDICTIONS = [
    Seed(
        name="景德镇市昌江区",
        short_name="昌",
        level=Jurisdiction.Level.DISTRICT,
        division_code="360202",
        higher_office="景德镇市发展和改革委员会",
        escalates_to="昌江区人民政府",
        parent=HigherOffice(name="景德镇市", short_name="景", division_code="360200",
                            office="景德镇市发展和改革委员会", office_short="市发改委"),
        hostname="changjiang.localhost",
        slug="changjiang",
        notice_file="changjiang.txt",
        notice_title="关于印发《昌江区进一步建立健全贯彻落实市场准入制度工作机制》的通知",
        issuer="景德镇市昌江区发展和改革委员会",
        issue_date=datetime.date(2025, 10, 22),
        departments=[
            ("昌江区发展和改革委员会", "区发改委", Department.Kind.DEVELOPMENT_REFORM, True),
            ("昌江区市场监督管理局", "区市场监管局", Department.Kind.MARKET_REGULATION, False),
            ("昌江区司法局", "区司法局", Department.Kind.JUSTICE, False),
            ("昌江区行政审批局", "区行政审批局", Department.Kind.ADMINISTRATIVE_APPROVAL, False),
            ("昌江区商务局", "区商务局", Department.Kind.INDUSTRY, False),
            ("昌江区住房和城乡建设局", "区住建局", Department.Kind.INDUSTRY, False),
            ("昌江区人民政府", "区政府", Department.Kind.GOVERNMENT, False),
        ],
    ),
    Seed(
        name="侯马市",
        short_name="侯",
        level=Jurisdiction.Level.COUNTY_CITY,
        division_code="141081",
        higher_office="临汾市发展和改革委员会",
        escalates_to="侯马市人民政府",
        parent=HigherOffice(name="临汾市", short_name="临", division_code="141000",
                            office="临汾市发展和改革委员会", office_short="市发改委"),
        hostname="houma.localhost",
        slug="houma",
        notice_file="houma.txt",
        notice_title="侯马市关于进一步建立健全贯彻落实施市场准入制度工作机制（试行）的通知",
        issuer="侯马市发展和改革局",
        issue_date=None,  # the notice as published carries no date
        departments=[
            ("侯马市发展和改革局", "市发展改革局", Department.Kind.DEVELOPMENT_REFORM, True),
            ("侯马市市场监督管理局", "市市场监管局", Department.Kind.MARKET_REGULATION, False),
            ("侯马市司法局", "市司法局", Department.Kind.JUSTICE, False),
            ("侯马市行政审批服务管理局", "市行政审批局", Department.Kind.ADMINISTRATIVE_APPROVAL, False),
            ("侯马市工业和信息化局", "市工信局", Department.Kind.INDUSTRY, False),
            ("侯马市交通运输局", "市交通局", Department.Kind.INDUSTRY, False),
            ("侯马市人民政府", "市政府", Department.Kind.GOVERNMENT, False),
        ],
    ),
]

_HEADING = re.compile(r"^(#+\s*)?([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


def notice_to_html(text: str) -> str:
    """Turn a plain-text notice into rich text: section titles become headings, the rest paragraphs."""
    parts = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "(此页无正文)":
            continue
        plain = line.lstrip("#").strip()
        escaped = html.escape(plain)
        if re.match(r"^[一二三四五六七八九十]+、", plain):
            parts.append(f"<h2>{escaped}</h2>")
        elif line.startswith("#") and _HEADING.match(line):
            parts.append(f"<h3>{escaped}</h3>")
        else:
            parts.append(f"<p>{escaped}</p>")
    return "\n".join(parts)


def _portal_root() -> PortalIndexPage:
    existing = PortalIndexPage.objects.first()
    if existing is not None:
        return existing
    portal = PortalIndexPage(
        title="市场准入负面清单工作平台",
        slug="zhunru",
        intro="<p>本平台汇集各辖区市场准入负面清单政策、典型案例通报和问题反映渠道。</p>",
    )
    prefix = plugin_prefix()
    if prefix in (None, "/"):
        _portal_as_default_site(portal)
    else:
        _portal_in_host(portal, prefix)
    return portal


def _portal_as_default_site(portal: PortalIndexPage) -> None:
    """This project (zhunru.urls at the root): the installation's default site shows the portal index;
    Wagtail's welcome page goes."""
    root = Page.get_first_root_node()
    root.add_child(instance=portal)
    portal.save_revision().publish()
    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    Site.objects.update_or_create(
        hostname="127.0.0.1",
        port=DEMO_PORT,
        defaults={"root_page": portal, "is_default_site": True, "site_name": "市场准入负面清单工作平台"},
    )
    for welcome in Page.objects.child_of(root).exclude(pk=portal.pk).filter(depth=2, numchild=0):
        if welcome.specific_class is Page:
            welcome.delete()


def _portal_in_host(portal: PortalIndexPage, prefix: str) -> None:
    """A host site (zhunru.urls under ``prefix``): its default Site and root page stay as they are.

    The portal index goes below the default site's root page with the prefix as its slug, so on the host's
    own name the jurisdictions' pages answer under the prefix (``/zhunru/changjiang/``); Wagtail serves
    them, zhunru.urls having no pattern of that name. Each jurisdiction also gets its Site by hostname.
    When the prefix has several segments or its slug is taken, the portal goes to the top of the page
    tree and the jurisdictions are reached by their hostnames only."""
    slug = prefix.strip("/")
    default_site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    parent = default_site.root_page if default_site is not None else None
    if parent is None or "/" in slug or not slug or Page.objects.child_of(parent).filter(slug=slug).exists():
        parent = Page.get_first_root_node()
    else:
        portal.slug = slug
    parent.add_child(instance=portal)
    portal.save_revision().publish()


def load_higher_office(office: HigherOffice) -> Jurisdiction:
    """The higher-level jurisdiction with its development and reform office (its only department, where its
    extension approver works) and its role groups; no portal of its own in the demo."""
    jurisdiction, _ = Jurisdiction.objects.update_or_create(
        division_code=office.division_code,
        defaults={"name": office.name, "short_name": office.short_name, "level": office.level,
                  "office_name": office.office},
    )
    Department.objects.update_or_create(
        jurisdiction=jurisdiction, name=office.office,
        defaults={"short_name": office.office_short, "kind": Department.Kind.DEVELOPMENT_REFORM, "is_lead": True},
    )
    roles.provision_jurisdiction(jurisdiction)
    return jurisdiction


def load_jurisdiction(seed: Seed, portal: PortalIndexPage) -> Jurisdiction:
    parent = load_higher_office(seed.parent) if seed.parent is not None else None
    jurisdiction, _ = Jurisdiction.objects.update_or_create(
        division_code=seed.division_code,
        defaults={
            "name": seed.name,
            "short_name": seed.short_name,
            "level": seed.level,
            "higher_office": seed.higher_office,
            "escalates_to": seed.escalates_to,
            "office_name": seed.issuer,
            "parent": parent,
        },
    )
    for order, (name, short, kind, is_lead) in enumerate(seed.departments):
        Department.objects.update_or_create(
            jurisdiction=jurisdiction,
            name=name,
            defaults={"short_name": short, "kind": kind, "is_lead": is_lead, "sort_order": order * 10},
        )

    home = JurisdictionHomePage.objects.filter(jurisdiction=jurisdiction).first()
    if home is None:
        home = JurisdictionHomePage(
            title=seed.name,
            slug=seed.slug,
            jurisdiction=jurisdiction,
            intro=f"<p>{seed.name}市场准入负面清单工作门户。</p>",
        )
        portal.add_child(instance=home)
        home.save_revision().publish()
    # The port `make run` serves on, so links built outside a request (e-mails, the digest) from the Site
    # open (*.localhost resolves to this machine); a request on another port still finds the Site by name.
    Site.objects.filter(hostname=seed.hostname, port=80).update(port=DEMO_PORT)  # demo databases before 0.2
    site, _ = Site.objects.update_or_create(
        hostname=seed.hostname, port=DEMO_PORT, defaults={"root_page": home, "site_name": seed.name}
    )
    if jurisdiction.site_id != site.pk:
        jurisdiction.site = site
        jurisdiction.save(update_fields=["site"])
    roles.provision_jurisdiction(jurisdiction)

    index = PolicyIndexPage.objects.child_of(home).first()
    if index is None:
        index = PolicyIndexPage(title="政策文件", slug="policies")
        home.add_child(instance=index)
        index.save_revision().publish()

    if not PolicyPage.objects.filter(title=seed.notice_title).exists():
        text = (SEEDS / seed.notice_file).read_text(encoding="utf-8")
        page = PolicyPage(
            title=seed.notice_title,
            slug="market-access-mechanisms",
            kind=PolicyPage.Kind.POLICY,
            issuer=seed.issuer,
            issue_date=seed.issue_date,
            department=jurisdiction.lead_department,
            summary="建立健全贯彻落实市场准入制度的十四项工作机制。",
            body=notice_to_html(text),
        )
        index.add_child(instance=page)
        page.save_revision().publish()
    return jurisdiction


@transaction.atomic
def load(stdout=None) -> list[Jurisdiction]:
    """Create (or bring up to date) the two seed jurisdictions, with the higher-level jurisdictions whose offices
    approve their extension requests; safe to run repeatedly. Returns the two seeds."""
    roles.sync_roles()
    portal = _portal_root()
    loaded = [load_jurisdiction(seed, portal) for seed in SEED_JURISDICTIONS]
    if stdout is not None:
        stdout.write(f"已载入辖区：{'、'.join(j.name for j in loaded)}")
    return loaded
