"""The API docs page (issue 23, item 7): Swagger UI from our own static files, nothing the CSP would block."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_only_same_origin_assets_and_no_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    assert "swagger-ui-bundle.js" in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    inline = [body for attrs, body in scripts if "src=" not in attrs and "application/json" not in attrs and body.strip()]
    assert inline == []  # a JSON data block is data, not script
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_every_operation_documents_its_errors_and_security(client):
    schema = client.get("/api/v1/schema/").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["code", "message"]
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) > 10
    for path, method, op in operations:
        assert {"400", "404", "422"} <= set(op["responses"]), (path, method)
        assert "security" in op, (path, method)
        if "requestBody" in op:
            assert "415" in op["responses"], (path, method)
    internal = [op for path, _m, op in operations if path.startswith("/api/v1/leads")]
    assert internal and all(op["security"] and "401" in op["responses"] for op in internal)
