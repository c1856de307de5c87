"""好差评 from the portal: anonymous, CSRF-protected, one rating per form token, throttled per address."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_service(portal, catalog_demo):
    from zhunru.catalog.models import ServiceItem

    return ServiceItem.objects.get(name="药品经营许可证核发", department__jurisdiction__division_code="360202")


def rate_url(service):
    return reverse("zhunru_portal:service_rating", args=[service.department.jurisdiction.division_code, service.pk])


def rating_data(**overrides):
    return {"submission_token": str(uuid.uuid4()), "level": "5", "comment": "", "receipt_code": "", **overrides}


def test_form_has_five_levels_as_radio_buttons_and_a_token(client, local_service):
    from zhunru.catalog.models import ServiceRating
    from zhunru.portal.forms import RatingForm

    assert RatingForm.LEVEL_CHOICES == ServiceRating.LEVEL_CHOICES
    response = client.get(rate_url(local_service))
    html = response.content.decode()
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert html.count('type="radio" name="level"') == 5
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in html
    assert "<legend>评价等级" in html and 'name="submission_token"' in html and "csrfmiddlewaretoken" in html
    assert '<label for="id_comment">' in html and '<label for="id_receipt_code">' in html


def test_a_satisfied_rating_is_saved_and_thanked_without_follow_up(client, local_service):
    from zhunru.catalog.models import RatingFollowUp, ServiceRating

    response = client.post(rate_url(local_service), rating_data(comment="窗口服务很耐心。"))
    thanks = reverse("zhunru_portal:service_rating_thanks", args=["360202", local_service.pk])
    assert response.status_code == 302 and response["Location"] == thanks
    rating = ServiceRating.objects.get()
    assert (rating.service_item, rating.level, rating.channel, rating.comment) == (
        local_service, 5, "portal", "窗口服务很耐心。")
    assert not RatingFollowUp.objects.exists()
    html = client.get(thanks).content.decode()
    assert "感谢您的评价" in html and "非常满意" in html and "核实整改" not in html


def test_an_unsatisfied_rating_opens_a_follow_up_and_says_so(client, local_service):
    from zhunru.catalog.models import RatingFollowUp

    response = client.post(rate_url(local_service),
                           rating_data(level="1", comment="材料要求与指南不一致。", receipt_code="sp-2026-0001"))
    follow_up = RatingFollowUp.objects.get()
    assert follow_up.department == local_service.department and follow_up.rating.receipt_code == "SP-2026-0001"
    html = client.get(response["Location"]).content.decode()
    assert "非常不满意" in html and f"已转{local_service.department.name}核实整改" in html


def test_thanks_page_needs_the_session(client, local_service):
    thanks = reverse("zhunru_portal:service_rating_thanks", args=["360202", local_service.pk])
    response = client.get(thanks)
    assert response.status_code == 302 and response["Location"] == local_service.get_absolute_url()


def test_double_submission_makes_one_rating(client, local_service):
    from zhunru.catalog.models import ServiceRating

    data = rating_data(level="2")
    first = client.post(rate_url(local_service), data)
    second = client.post(rate_url(local_service), data)
    assert first.status_code == second.status_code == 302
    assert ServiceRating.objects.count() == 1
    assert ServiceRating.objects.get().idempotency_key == f"portal:{data['submission_token']}"


def test_a_token_used_for_another_item_is_refused(client, local_service):
    from zhunru.catalog.models import ServiceItem, ServiceRating

    other = ServiceItem.objects.get(name="食品经营许可", department=local_service.department)
    data = rating_data()
    client.post(rate_url(local_service), data)
    response = client.post(rate_url(other), data)
    assert response.status_code == 400 and "表单已失效" in response.content.decode()
    assert list(ServiceRating.objects.values_list("service_item_id", flat=True)) == [local_service.pk]


def test_missing_or_bad_input_is_explained_in_chinese(client, local_service):
    from zhunru.catalog.models import ServiceRating

    response = client.post(rate_url(local_service), rating_data(level="", comment="没选等级"))
    html = response.content.decode()
    assert response.status_code == 400  # the form again, with its errors
    assert "请选择评价等级。" in html and "没选等级" in html  # what was typed is kept
    html = client.post(rate_url(local_service), rating_data(level="9")).content.decode()
    assert "请从五个等级中选择一项。" in html
    html = client.post(rate_url(local_service), rating_data(receipt_code="回执<script>")).content.decode()
    assert "办件回执码只能包含字母、数字和短横线" in html
    html = client.post(rate_url(local_service), rating_data(submission_token="")).content.decode()
    assert "表单已失效" in html
    assert not ServiceRating.objects.exists()


def test_posting_without_the_csrf_token_is_refused(local_service):
    from zhunru.catalog.models import ServiceRating

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(rate_url(local_service), rating_data()).status_code == 403
    page = strict.get(rate_url(local_service))
    token = page.cookies["csrftoken"].value
    response = strict.post(rate_url(local_service), rating_data(csrfmiddlewaretoken=token))
    assert response.status_code == 302 and ServiceRating.objects.count() == 1


def test_ratings_are_throttled_per_client(client, local_service, settings):
    from zhunru.catalog.models import ServiceRating

    settings.ZHUNRU_PORTAL = {**settings.ZHUNRU_PORTAL, "RATING_RATE": (2, 3600)}
    first = rating_data()
    statuses = [client.post(rate_url(local_service), data).status_code for data in (first, rating_data(),
                                                                                    rating_data())]
    assert statuses == [302, 302, 429]
    assert "提交过于频繁" in client.post(rate_url(local_service), rating_data()).content.decode()
    assert ServiceRating.objects.count() == 2
    # Resending a form already saved is not a new rating and is not refused.
    assert client.post(rate_url(local_service), first).status_code == 302
    # Another address has its own allowance.
    other = client.post(rate_url(local_service), rating_data(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302 and ServiceRating.objects.count() == 3


def test_a_suspended_item_can_still_be_rated(client, local_service):
    from zhunru.catalog.models import ServiceRating

    local_service.status = local_service.SUSPENDED
    local_service.save()
    html = client.get(rate_url(local_service)).content.decode()
    assert "本事项已停止受理。如您此前办理过本事项，仍可评价。" in html
    assert client.post(rate_url(local_service), rating_data(level="3")).status_code == 302
    assert ServiceRating.objects.get().level == 3


def test_the_service_page_summarises_ratings(client, local_service):
    from zhunru.catalog.ratings import submit_rating

    for level in (5, 4, 1):
        submit_rating(local_service, level, "hall")
    html = client.get(local_service.get_absolute_url()).content.decode()
    assert "已收到 3 条评价，满意率 67%" in html
