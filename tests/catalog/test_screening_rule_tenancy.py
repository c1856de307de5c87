"""Hidden-barrier screening rules per jurisdiction (issue 19): the national rules (no jurisdiction) are read by
everyone and changed by superusers only; a jurisdiction's own rules are kept by its editors and coordinators,
screen its texts only, and another jurisdiction's rule answers 404 with nothing changed."""

import pytest
from django.urls import reverse

from tests.conftest import create_user, shared_rows
from zhunru import roles

CHANGJIANG, HOUMA = "360202", "141081"


@shared_rows("screening_rule_world", base="demo")
def screening_rule_world():
    """A national rule, one rule of each seed jurisdiction, and each one's editor and coordinator."""
    from zhunru.catalog.models import ScreeningRule
    from zhunru.models import Jurisdiction

    world = {"national": ScreeningRule.objects.create(
        phrase="全国测试壁垒", category="discriminatory", explanation="全国通用的测试规则", basis="十一(三)")}
    for code in (CHANGJIANG, HOUMA):
        j = Jurisdiction.objects.get(division_code=code)
        world[code] = {
            "jurisdiction": j,
            "rule": ScreeningRule.objects.create(phrase=f"{j.name}本地壁垒", category="discriminatory",
                                                 explanation=f"{j.name}自己的规则", jurisdiction=j),
            "editor": create_user(f"rule-editor-{code}", groups=[roles.EDITOR], departments=[j.lead_department]),
            "coordinator": create_user(f"rule-coord-{code}", groups=[roles.COORDINATOR],
                                       departments=[j.lead_department]),
        }
    world["boss"] = create_user("rule-boss", superuser=True)
    return world


def _url(action: str, rule) -> str:
    return reverse(f"wagtailsnippets_zhunru_catalog_screeningrule:{action}", args=[rule.pk])


def _state(rule):
    from zhunru.catalog.models import ScreeningRule

    return ScreeningRule.objects.filter(pk=rule.pk).values().first()


def _refused(response) -> bool:
    """403, or Wagtail's way of saying it (PermissionDenied in the admin): back to the dashboard with a message."""
    from django.contrib.messages import get_messages

    if response.status_code == 403:
        return True
    return response.status_code == 302 and response["Location"] == "/admin/" and "没有权限" in " ".join(
        str(m) for m in get_messages(response.wsgi_request))


def _form(rule, **changes) -> dict:
    data = {"phrase": rule.phrase, "category": rule.category, "explanation": rule.explanation, "basis": rule.basis,
            "enabled": "on", "jurisdiction": rule.jurisdiction_id or ""}
    return {**data, **changes}


@pytest.mark.parametrize("role", ["editor", "coordinator"])
def test_a_houma_user_cannot_change_national_or_changjiang_rules(client, screening_rule_world, role):
    """侯马市's editor and coordinator: editing or deleting a national rule is refused (403, which Wagtail's admin
    answers with a redirect to the dashboard and "没有权限"), a 昌江区 rule answers 404 (audited),
    by the single views and the bulk delete alike, and every rule stays exactly as it was."""
    from zhunru.audit.models import AuditEvent

    world = screening_rule_world
    user = world[HOUMA][role]
    client.force_login(user)
    national, foreign = world["national"], world[CHANGJIANG]["rule"]
    before = {rule.pk: _state(rule) for rule in (national, foreign)}

    for action in ("edit", "delete"):
        assert _refused(client.get(_url(action, national)))
        assert _refused(client.post(_url(action, national), _form(national, phrase="侯马改写")))
        response = client.post(_url(action, foreign), _form(foreign, phrase="侯马改写"))
        assert response.status_code == 404 and "景德镇市昌江区" not in response.content.decode()
    for rule in (national, foreign):
        client.post(f"/admin/bulk/zhunru_catalog/screeningrule/delete/?id={rule.pk}")
        client.post(_url("copy", rule), _form(rule, jurisdiction=""))
    assert {rule.pk: _state(rule) for rule in (national, foreign)} == before
    assert AuditEvent.objects.filter(action="security.foreign_access", actor=user, object_id=str(foreign.pk),
                                     object_type="zhunru_catalog.screeningrule").exists()

    # The listing shows the national rule and 侯马市's own, never 昌江区's (nor its name in the filter).
    listing = client.get(reverse("wagtailsnippets_zhunru_catalog_screeningrule:list")).content.decode()
    assert "全国测试壁垒" in listing and "侯马市本地壁垒" in listing
    assert "昌江区本地壁垒" not in listing and "景德镇市昌江区" not in listing


def test_an_editor_keeps_their_own_jurisdictions_rules(client, screening_rule_world):
    """侯马市's editor adds a rule (it belongs to 侯马市: an empty or foreign jurisdiction is refused) and changes
    it; it screens 侯马市's texts and never 昌江区's; 侯马市's coordinator may delete it."""
    from zhunru.catalog.models import ScreeningRule
    from zhunru.catalog.screening import screen_text

    world = screening_rule_world
    houma, changjiang = world[HOUMA]["jurisdiction"], world[CHANGJIANG]["jurisdiction"]
    client.force_login(world[HOUMA]["editor"])
    add = reverse("wagtailsnippets_zhunru_catalog_screeningrule:add")
    data = {"phrase": "须加入侯马商会", "category": "discriminatory", "explanation": "以加入本地商会为条件。",
            "basis": "十一(三)", "enabled": "on"}
    for jurisdiction in ("", changjiang.pk):
        response = client.post(add, {**data, "jurisdiction": jurisdiction})
        assert response.status_code == 200 and not ScreeningRule.objects.filter(phrase="须加入侯马商会").exists()
        assert "景德镇市昌江区" not in response.content.decode()  # not even the posted id's name
    assert client.post(add, {**data, "jurisdiction": houma.pk}).status_code == 302
    rule = ScreeningRule.objects.get(phrase="须加入侯马商会")
    assert rule.jurisdiction == houma

    assert client.post(_url("edit", rule), _form(rule, explanation="改过的说明")).status_code == 302
    rule.refresh_from_db()
    assert rule.explanation == "改过的说明"

    text = "参加投标的企业须加入侯马商会。"
    assert [m.rule for m in screen_text(text, jurisdictions=[houma])] == [rule]
    assert screen_text(text, jurisdictions=[changjiang]) == [] and screen_text(text) == []
    screened = client.post("/admin/catalog/screen/", {"text": text})
    assert [m.rule for m in screened.context["matches"]] == [rule]
    client.force_login(world[CHANGJIANG]["editor"])
    assert client.post("/admin/catalog/screen/", {"text": text}).context["matches"] == []

    client.force_login(world[HOUMA]["coordinator"])
    assert client.post(_url("delete", rule)).status_code == 302
    assert not ScreeningRule.objects.filter(pk=rule.pk).exists()


def test_a_superuser_changes_a_national_rule(client, screening_rule_world):
    world = screening_rule_world
    national = world["national"]
    client.force_login(world["boss"])
    assert client.post(_url("edit", national), _form(national, explanation="超级管理员改写")).status_code == 302
    national.refresh_from_db()
    assert national.explanation == "超级管理员改写" and national.jurisdiction is None


def test_the_public_api_screens_with_national_rules_and_a_named_jurisdictions(client, screening_rule_world):
    """The public endpoint uses the national rules, and a jurisdiction's own rules only when it names it."""
    url = "/api/v1/catalog/screen/"
    text = "外地企业须在侯马市本地壁垒登记，并符合全国测试壁垒。"
    phrases = lambda response: sorted(m["phrase"] for m in response.json())  # noqa: E731
    assert "侯马市本地壁垒" not in phrases(client.post(url, {"text": text}, content_type="application/json"))
    named = client.post(url, {"text": text, "jurisdiction": HOUMA}, content_type="application/json")
    assert {"侯马市本地壁垒", "全国测试壁垒"} <= set(phrases(named))
    unknown = client.post(url, {"text": text, "jurisdiction": "999999"}, content_type="application/json")
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_jurisdiction"
