"""Public portal URLs (under /portal/); jurisdiction homes, policies and bulletins are Wagtail pages."""

from django.urls import path

from zhunru.portal import catalog_views, views

app_name = "zhunru_portal"

urlpatterns = [
    path("portal/search/", views.search_page, name="search"),
    path("portal/complaint/receipt/", views.complaint_receipt, name="complaint_receipt"),
    path("portal/complaint/status/", views.complaint_status, name="complaint_status"),
    # The national list without a jurisdiction (canonical URLs of list items); before ``portal/<code>/``.
    path("portal/list/", catalog_views.catalog_index, name="catalog_all"),
    path("portal/list/items/<int:pk>/", catalog_views.list_item, name="list_item_any"),
    path("portal/<str:code>/", views.jurisdiction_redirect, name="jurisdiction"),
    path("portal/<str:code>/complaint/", views.complaint_form, name="complaint"),
    path("portal/<str:code>/list/", catalog_views.catalog_index, name="catalog"),
    path("portal/<str:code>/list/items/<int:pk>/", catalog_views.list_item, name="list_item"),
    path("portal/<str:code>/services/<int:pk>/", catalog_views.service_item, name="service_item"),
    path("portal/<str:code>/services/<int:pk>/rate/", catalog_views.service_rating, name="service_rating"),
    path("portal/<str:code>/services/<int:pk>/rate/thanks/", catalog_views.service_rating_thanks,
         name="service_rating_thanks"),
]
