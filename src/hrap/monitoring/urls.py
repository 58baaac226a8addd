from django.urls import path

from hrap.monitoring import cycle_views, home, upload_views, views

app_name = "monitoring"

urlpatterns = [
    path("inbox/", home.my_reports, name="inbox"),
    path("cycles/", home.cycles_index, name="cycles_index"),
    path("values/", home.values_index, name="values"),
    path("review/", home.review_index, name="review"),
    path("indicators/<int:indicator_id>/values/", views.observation_grid, name="grid"),
    path("calendar/<str:token>.ics", views.calendar, name="calendar"),
    path("cycles/<slug:slug>/", cycle_views.cycle_list, name="cycles"),
    path("cycles/<slug:slug>/<str:period>/", cycle_views.cycle_detail, name="cycle"),
    path("cycles/<slug:slug>/<str:period>/open/", views.cycle_open, name="cycle_open"),
    path(
        "cycles/<slug:slug>/<str:period>/template.xlsx",
        upload_views.upload_template,
        name="template",
    ),
    path(
        "cycles/<slug:slug>/<str:period>/upload/", upload_views.observations_upload, name="upload"
    ),
    path(
        "cycles/<slug:slug>/<str:period>/reports/<int:report_id>/",
        views.report_detail,
        name="report",
    ),
    path(
        "cycles/<slug:slug>/<str:period>/reports/<int:report_id>/evidence/",
        views.evidence_add,
        name="evidence_add",
    ),
    path(
        "cycles/<slug:slug>/<str:period>/reports/<int:report_id>/evidence/<int:evidence_id>/",
        views.evidence_file,
        name="evidence",
    ),
    path(
        "cycles/<slug:slug>/<str:period>/reports/<int:report_id>/<str:step>/",
        views.report_step,
        name="report_step",
    ),
]
