"""Bad input gets a Chinese 4xx, never a 500 (issue 23, items 4 and 5).

The JSON API's schemas bound their pagination parameters, so there an out-of-range value is the API's
validation error (422, code "invalid", the parameter named in Chinese); elsewhere (the portal, Wagtail's
API v2) the bounds middleware answers 400.

Each input an outside probe sent is replayed: out-of-range pagination on the leads, cases and catalog
APIs, a path-like jurisdiction in the portal search, NUL characters and lone UTF-16 surrogates in query
strings, JSON bodies and the complaint form, a complaint sent as text/plain, deep JSON nesting, and a
submission token reused for other content. Each answer is a 4xx with a Chinese message, and nothing is
created or lost by it.
"""

import json
import re
import uuid

import pytest

from tests.conftest import create_user
from zhunru.portal.models import Complaint

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _own_throttle(settings):
    """Each test counts its own requests (never a cache flush: with Redis that would clear shared data)."""
    settings.ZHUNRU_PORTAL = {"THROTTLE_NAMESPACE": uuid.uuid4().hex}
    settings.ZHUNRU_API_THROTTLE_NAMESPACE = uuid.uuid4().hex


def _json_error(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert CHINESE.search(body["message"]), body
    return body["message"]


def _html_error(response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.content[:300])
    text = response.content.decode()
    assert CHINESE.search(text)
    return text


# --- pagination -----------------------------------------------------------------------------------


LABELS = {"offset": "偏移量", "limit": "条数上限", "page": "页码", "page_size": "每页条数"}


@pytest.mark.parametrize("query", ["offset=-1", "limit=-1", "limit=0", "offset=abc", "limit=99999999999999999999",
                                   "offset=99999999999999999999"])
def test_leads_api_refuses_bad_offset_and_limit(client, db, query):
    client.force_login(create_user("boss", superuser=True))
    assert client.get("/api/v1/leads/?offset=0&limit=5").status_code == 200  # the bounds let good values in
    message = _json_error(client.get(f"/api/v1/leads/?{query}"), 422)
    assert LABELS[query.split("=")[0]] in message


@pytest.mark.parametrize("query", ["offset=-1", "limit=-1", "offset=-5&limit=-5", "offset=1e3",
                                   "offset=99999999999999999999"])
def test_cases_api_refuses_negative_offset_and_limit(client, db, query):
    assert client.get("/api/v1/cases/?offset=0&limit=5").status_code == 200
    message = _json_error(client.get(f"/api/v1/cases/?{query}"), 422)
    assert LABELS[query.split("=")[0]] in message


@pytest.mark.parametrize("path", ["/api/v1/catalog/items/", "/api/v1/catalog/services/"])
@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=100001", "page=0", "page=-1", "page_size=-3",
                                   "page_size=0"])
def test_catalog_lists_refuse_huge_or_negative_pages(client, db, path, query):
    assert client.get(f"{path}?page=1&page_size=10").status_code == 200
    message = _json_error(client.get(f"{path}?{query}"), 422)
    assert LABELS[query.split("=")[0]] in message


def test_search_api_refuses_a_bad_page_and_cuts_a_long_query(client, db):
    _json_error(client.get("/api/v1/search/?q=x&page=99999999999999999999"), 400)
    response = client.get("/api/v1/search/?q=" + "准" * 201)  # cut to its beginning, said so (issue 21)
    assert response.status_code == 200 and "过长" in response.json()["message"]


def test_wagtail_pages_api_answers_in_chinese(client, db):
    response = client.get("/api/v2/pages/?offset=-1")
    assert response.status_code == 400
    assert CHINESE.search(response.json()["message"])


@pytest.mark.parametrize(("query", "expected"), [
    ("fields=url", "参数“fields”中有未知字段：url。"),
    ("order=foo", "参数“order”有误：无法按“foo”排序（未知字段）。"),
    ("type=foo.Bar", "参数“type”所指的页面类型不存在"),
    ("child_of=abc", "参数“child_of”应为正整数。"),
    ("fields=*,-title,__class__", "参数“fields”有误"),
    ("foo=1", "不支持的查询参数：foo。"),
    ("child_of=99999", "参数“child_of”所指的页面不存在。"),
])
def test_wagtail_api_errors_are_chinese(client, db, query, expected):
    response = client.get(f"/api/v2/pages/?{query}")
    assert response.status_code == 400, response.content
    message = response.json()["message"]
    assert expected in message
    prose = re.sub(r"“[^”]*”", "", message.replace("如 wagtailcore.Page", "")).split("：")[0]  # less what the client sent
    assert not re.search(r"[A-Za-z]{4,}", prose), message


def test_wagtail_api_not_found_is_chinese(client, db):
    for path in ("/api/v2/pages/999999/", "/api/v2/images/999999/", "/api/v2/documents/999999/"):
        response = client.get(path)
        assert response.status_code == 404 and CHINESE.search(response.json()["message"]), response.content


# --- the portal search ----------------------------------------------------------------------------


@pytest.mark.parametrize("j", ["a/b", "../360202", "360202/x", "3602021"])
def test_portal_search_refuses_path_like_jurisdiction(client, db, j):
    text = _html_error(client.get("/portal/search/", {"q": "x", "j": j}), 400)
    assert "行政区划代码" in text


def test_portal_search_refuses_a_bad_page_and_cuts_a_long_query(client, db):
    _html_error(client.get("/portal/search/?q=x&page=99999999999999999999"), 400)
    response = client.get("/portal/search/", {"q": "准" * 201})
    assert response.status_code == 200 and "检索词过长" in response.content.decode()


# --- NUL characters and lone surrogates -------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/catalog/items/?q=a%00b", "/api/v1/cases/?jurisdiction=%00",
                                  "/api/v1/search/?q=%00"])
def test_nul_in_api_query_string(client, db, path):
    assert "空字符" in _json_error(client.get(path), 400)


def test_nul_in_portal_query_string(client, db):
    assert "空字符" in _html_error(client.get("/portal/search/?q=a%00b"), 400)


def _complaint(jurisdiction, **overrides) -> dict:
    return {
        "jurisdiction": jurisdiction.division_code,
        "submission_token": str(uuid.uuid4()),
        "description": "某街道在招标公告中要求投标企业必须在本区注册分公司，外地企业无法参与。",
        "organization": "某街道办事处",
        "document_or_practice": "某项目招标公告",
        "contact_name": "张三",
        "contact_phone": "13912345678",
        "consent": True,
        **overrides,
    }


def _post_json(client, path, raw: str, content_type: str = "application/json"):
    return client.post(path, data=raw.encode("utf-8"), content_type=content_type)


@pytest.mark.parametrize(("field", "escape"), [("description", "\\ud800"), ("organization", "\\udfff"),
                                               ("description", "\\u0000"), ("contact_name", "\\u0000")])
def test_complaint_api_refuses_surrogates_and_nul(client, jurisdiction, field, escape):
    # json.dumps cannot write a lone surrogate as text; put the escape into the JSON itself, as a client may.
    raw = json.dumps(_complaint(jurisdiction, **{field: "MARK"})).replace("MARK", f"某内容{escape}某内容")
    message = _json_error(_post_json(client, "/api/v1/portal/complaints/", raw), 400)
    assert "字符" in message
    assert not Complaint.objects.exists()


def test_complaint_api_still_files_a_good_complaint(client, jurisdiction):
    response = _post_json(client, "/api/v1/portal/complaints/", json.dumps(_complaint(jurisdiction)))
    assert response.status_code == 201, response.content
    assert Complaint.objects.count() == 1


def test_surrogate_in_status_lookup(client, db):
    _json_error(_post_json(client, "/api/v1/portal/complaints/status/", '{"code": "\\ud83d"}'), 400)


def test_complaint_form_refuses_nul(client, jurisdiction):
    data = _complaint(jurisdiction, description="某内容\x00某内容", consent="on")
    data.pop("jurisdiction")
    text = _html_error(client.post(f"/portal/{jurisdiction.division_code}/complaint/", data), 400)
    assert "空字符" in text
    assert not Complaint.objects.exists()


def test_deeply_nested_json_is_refused(client, jurisdiction):
    raw = json.dumps(_complaint(jurisdiction))[:-1] + ', "extra": ' + "[" * 5000 + "]" * 5000 + "}"
    assert "嵌套" in _json_error(_post_json(client, "/api/v1/portal/complaints/", raw), 400)
    assert not Complaint.objects.exists()


# --- content types ------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/html", ""])
def test_complaint_sent_as_other_content_type_is_refused(client, jurisdiction, content_type):
    raw = json.dumps(_complaint(jurisdiction))
    response = client.generic("POST", "/api/v1/portal/complaints/", raw.encode(), content_type=content_type)
    assert "application/json" in _json_error(response, 415)
    assert not Complaint.objects.exists()


def test_other_json_endpoints_refuse_text_plain(client, db):
    response = _post_json(client, "/api/v1/catalog/screen/", '{"text": "要求本地注册"}', "text/plain")
    _json_error(response, 415)


def test_json_with_charset_and_bom_is_accepted(client, jurisdiction):
    raw = "\ufeff" + json.dumps(_complaint(jurisdiction))
    response = _post_json(client, "/api/v1/portal/complaints/", raw, "application/json; charset=utf-8")
    # Past the bounds: ninja itself decides about the BOM; what matters here is no 415/500.
    assert response.status_code in (201, 400), response.content
    assert response.status_code < 500


# --- a reused submission token ------------------------------------------------------------------


def test_reused_token_with_other_content_is_a_conflict(client, jurisdiction):
    first = _complaint(jurisdiction)
    created = _post_json(client, "/api/v1/portal/complaints/", json.dumps(first))
    assert created.status_code == 201
    again = _post_json(client, "/api/v1/portal/complaints/", json.dumps(first))
    assert again.status_code == 200 and again.json() == created.json()  # the same content: idempotent
    other = {**first, "description": "另一件事：某局要求外地企业提供本地纳税证明。"}
    message = _json_error(_post_json(client, "/api/v1/portal/complaints/", json.dumps(other)), 409)
    assert "提交标识" in message
    assert Complaint.objects.count() == 1
    assert Complaint.objects.get().description == first["description"]  # the first complaint is kept as filed


def test_reused_token_on_the_form_is_a_conflict(client, jurisdiction):
    url = f"/portal/{jurisdiction.division_code}/complaint/"
    data = _complaint(jurisdiction, consent="on")
    data.pop("jurisdiction")
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double click: the same receipt again
    text = _html_error(client.post(url, {**data, "organization": "另一个单位"}), 409)
    assert "提交标识" in text
    assert Complaint.objects.count() == 1


# --- fields of nothing but invisible characters --------------------------------------------------

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff \t"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("organization", INVISIBLE, "请填写涉及的单位。"),
    ("organization", "\u200b\u200b\u2060\ufeff", "请填写涉及的单位。"),
    ("description", INVISIBLE, "请描述您反映的问题。"),
    ("description", "\u200b" * 30, "请描述您反映的问题。"),
    ("description", "要求本地\u200b\u200b\u200b\u200b\u200b\u200b注册", "问题描述过短"),
])
def test_complaint_api_counts_only_visible_characters(client, jurisdiction, field, value, message):
    response = _post_json(client, "/api/v1/portal/complaints/", json.dumps(_complaint(jurisdiction, **{field: value})))
    assert response.status_code == 400, response.content
    assert any(message in text for text in response.json()["errors"][field])
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("organization", "\u200b\u200b\u2060\ufeff", "请填写涉及的单位。"),
    ("description", "\ufeff\u200b" * 20, "请描述您反映的问题。"),
])
def test_complaint_form_counts_only_visible_characters(client, jurisdiction, field, value, message):
    data = _complaint(jurisdiction, consent="on", **{field: value})
    data.pop("jurisdiction")
    response = client.post(f"/portal/{jurisdiction.division_code}/complaint/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Complaint.objects.exists()


def test_invisible_characters_around_a_real_value_are_dropped(client, jurisdiction):
    data = _complaint(jurisdiction, organization="\u200b\ufeff 某街道办事处\u2060 ")
    assert _post_json(client, "/api/v1/portal/complaints/", json.dumps(data)).status_code == 201
    assert Complaint.objects.get().organization == "某街道办事处"


# --- form bodies that are not valid UTF-8 ---------------------------------------------------------


def test_complaint_form_refuses_invalid_utf8(client, jurisdiction):
    data = _complaint(jurisdiction, consent="on")
    data.pop("jurisdiction")
    data.pop("organization")
    from urllib.parse import urlencode

    body = urlencode(data) + "&organization=%ED%A0%80%FF"
    response = client.post(f"/portal/{jurisdiction.division_code}/complaint/", body,
                           content_type="application/x-www-form-urlencoded")
    assert "UTF-8" in _html_error(response, 400)
    assert not Complaint.objects.exists()


def test_complaint_form_refuses_invalid_utf8_in_a_multipart_field(client, jurisdiction):
    data = _complaint(jurisdiction, consent="on")
    data.pop("jurisdiction")
    boundary = "zhunruboundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in data.items() if name != "organization"]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="organization"\r\n\r\n'.encode()
                 + b"\xed\xa0\x80\xff\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    response = client.generic("POST", f"/portal/{jurisdiction.division_code}/complaint/", body,
                              content_type=f"multipart/form-data; boundary={boundary}")
    assert "UTF-8" in _html_error(response, 400)
    assert not Complaint.objects.exists()


def test_complaint_form_still_takes_percent_encoded_chinese(client, jurisdiction):
    from urllib.parse import urlencode

    data = _complaint(jurisdiction, consent="on", organization="某街道办事处 & 某局")
    data.pop("jurisdiction")
    response = client.post(f"/portal/{jurisdiction.division_code}/complaint/", urlencode(data),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert Complaint.objects.get().organization == "某街道办事处 & 某局"


def test_an_over_long_receipt_code_gets_its_own_message(client, db):
    message = _json_error(_post_json(client, "/api/v1/portal/complaints/status/", json.dumps({"code": "A" * 5000})), 400)
    assert message == "回执码最多 40 个字符，请核对后重新输入。"
    html = client.post("/portal/complaint/status/", {"code": "A" * 5000}).content.decode()
    assert "回执码最多 40 个字符" in html and "确保该变量" not in html
