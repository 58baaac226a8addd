from django.urls import path

from hrap.plans import views

app_name = "plans"

urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/<slug:slug>/", views.plan_detail, name="detail"),
    path("plans/<slug:slug>/export.json", views.plan_export, name="export"),
    path("plans/<slug:slug>/<str:ref>/", views.node_detail, name="node"),
    path("plans/<slug:slug>/<str:ref>/edit/", views.node_edit, name="node_edit"),
    path("plans/<slug:slug>/<str:ref>/targets/add/", views.target_edit, name="target_add"),
    path(
        "plans/<slug:slug>/<str:ref>/targets/<int:target_id>/",
        views.target_edit,
        name="target_edit",
    ),
    path(
        "plans/<slug:slug>/<str:ref>/targets/<int:target_id>/delete/",
        views.target_delete,
        name="target_delete",
    ),
    path("plans/<slug:slug>/<str:ref>/assignments/", views.assignments_edit, name="assignments"),
    path("search/", views.search, name="search"),
]
