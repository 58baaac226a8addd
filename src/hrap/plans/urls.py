from django.urls import include, path

from hrap.plans import review_views, views

app_name = "plans"

# The same pages serve the current revision of a plan (/plans/<slug>/…) and any other revision
# (/plans/<slug>/revisions/<n>/…): reverse() picks the pattern by the arguments it is given.
plan_pages = [
    path("", views.plan_detail, name="detail"),
    path("export.json", views.plan_export, name="export"),
    path("review/", review_views.plan_review, name="review"),
    path("review/bulk/", review_views.review_bulk, name="review_bulk"),
    path("review/undo/", review_views.review_undo, name="review_undo"),
    path("review/facts/", review_views.review_facts, name="review_facts"),
    path("review/names/", review_views.review_name, name="review_name"),
    path("publish/", review_views.plan_publish, name="publish"),
    path("discard/", review_views.plan_discard, name="discard"),
    path("<str:ref>/", views.node_detail, name="node"),
    path("<str:ref>/edit/", views.node_edit, name="node_edit"),
    path("<str:ref>/structure/", review_views.node_structure, name="node_structure"),
    path("<str:ref>/fields/", review_views.node_fields, name="node_fields"),
    path("<str:ref>/targets/add/", views.target_edit, name="target_add"),
    path("<str:ref>/targets/<int:target_id>/", views.target_edit, name="target_edit"),
    path("<str:ref>/targets/<int:target_id>/delete/", views.target_delete, name="target_delete"),
    path("<str:ref>/assignments/", views.assignments_edit, name="assignments"),
]

urlpatterns = [
    path("plans/", views.plan_list, name="list"),
    path("plans/<slug:slug>/revisions/<int:revision>/", include(plan_pages)),
    path("plans/<slug:slug>/", include(plan_pages)),
    path("search/", views.search, name="search"),
    path("indicators/<int:indicator_id>/", views.indicator_edit, name="indicator_edit"),
]
