from django.urls import path

from hrap.directory import views

app_name = "directory"

urlpatterns = [
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/new/", views.agency_create, name="agency_create"),  # "new" is no agency code
    path("agencies/<slug:code>/", views.agency_detail, name="agency"),
    path("agencies/<slug:code>/edit/", views.agency_edit, name="agency_edit"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdictions"),
    path("jurisdictions/<str:code>/edit/", views.jurisdiction_edit, name="jurisdiction_edit"),
]
