"""Public URLs of the credit app: the 双公示 page of a jurisdiction."""

from django.urls import path

from zhunru.credit import public_views

urlpatterns = [
    path("portal/<str:code>/disclosure/", public_views.disclosure, name="zhunru_credit_disclosure"),
]
