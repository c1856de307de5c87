from django.urls import path

from zhunru.catalog import views

urlpatterns = [
    path("catalog/documents/<int:pk>/download/", views.download_document, name="catalog_document_download"),
]
