"""The case register's printable 登记及办结报告: Chinese text, the register number, the office's name."""

from django.urls import reverse

from tests.security.file_text import pdf_text
from zhunru import roles


def test_the_report_of_a_registered_case(client, make_case, coordinator, jurisdiction, make_user, make_department):
    jurisdiction.office_name = "测试区发展和改革局"
    jurisdiction.save()
    case = make_case()
    case.register(by=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("zhunru_case_report_pdf", args=[case.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in ("测试区发展和改革局", "违规案例登记及办结报告", case.register_number, "已责令删除相关条款并重新发布公告",
                     "测试区市场监督管理局"):
        assert expected in text, expected

    outsider = make_user("outsider", groups=[roles.DEPARTMENT_OFFICER], departments=[make_department("测试区交通运输局")])
    client.force_login(outsider)
    assert client.get(reverse("zhunru_case_report_pdf", args=[case.pk])).status_code == 404
