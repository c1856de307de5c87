"""Public URLs of the credit app: the 双公示 page and the 信用修复 form of a jurisdiction."""

from django.urls import path

from zhunru.credit import public_views

urlpatterns = [
    path("portal/<str:code>/disclosure/", public_views.disclosure, name="zhunru_credit_disclosure"),
    path("portal/<str:code>/credit-repair/", public_views.repair_form, name="zhunru_credit_repair"),
]
