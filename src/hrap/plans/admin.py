from django.contrib import admin

from hrap.core.admin import ReadOnlyAdmin, ReadOnlyInline
from hrap.plans.models import (
    Assignment,
    Indicator,
    Plan,
    PlanNode,
    ProposedAssignment,
    ReviewCheckpoint,
    Target,
)


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["slug", "__str__", "period_start", "period_end", "status"]
    list_filter = ["status"]
    search_fields = ["slug", "title"]


class TargetInline(ReadOnlyInline):
    model = Target
    raw_id_fields = ["indicator"]


class AssignmentInline(ReadOnlyInline):
    model = Assignment


@admin.register(PlanNode)
class PlanNodeAdmin(ReadOnlyAdmin):
    list_display = ["ref", "__str__", "kind", "plan"]
    list_filter = ["plan", "kind"]
    search_fields = ["ref", "search_text"]
    raw_id_fields = ["parent"]
    inlines = [TargetInline, AssignmentInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "unit"]
    search_fields = ["name"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "node", "year"]
    list_filter = ["direction"]
    raw_id_fields = ["node", "indicator"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["node", "agency", "role"]
    list_filter = ["role"]
    raw_id_fields = ["node"]


@admin.register(ProposedAssignment)
class ProposedAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["node", "__str__", "agency", "role", "state"]
    list_filter = ["state", "role"]


@admin.register(ReviewCheckpoint)
class ReviewCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["plan", "action", "summary", "at"]
    exclude = ["snapshot"]
