from django.urls import path

from hrap.accounts import user_views as views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="list"),
    path("add/", views.user_add, name="add"),
    path("<int:user_id>/", views.user_detail, name="detail"),
    path("<int:user_id>/edit/", views.user_edit, name="edit"),
    path("<int:user_id>/roles/add/", views.user_role, {"change": "add"}, name="role_add"),
    path("<int:user_id>/roles/remove/", views.user_role, {"change": "remove"}, name="role_remove"),
    path(
        "<int:user_id>/deactivate/",
        views.user_activation,
        {"change": "deactivate"},
        name="deactivate",
    ),
    path(
        "<int:user_id>/reactivate/",
        views.user_activation,
        {"change": "reactivate"},
        name="reactivate",
    ),
    path("<int:user_id>/password-reset/", views.user_password_reset, name="password_reset"),
]
