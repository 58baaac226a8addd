from django.contrib import admin

from hrap.core.admin import ReadOnlyAdmin
from hrap.monitoring.models import Evidence, Observation, ProgressReport, ReportingCycle


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "jurisdiction", "period", "disaggregation_key", "value", "status"]
    list_filter = ["status", "year"]
    raw_id_fields = ["indicator", "jurisdiction", "entered_by"]


@admin.register(ReportingCycle)
class ReportingCycleAdmin(ReadOnlyAdmin):
    list_display = ["plan", "period", "opens", "due", "closes", "status"]
    list_filter = ["status"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "node", "agency", "lead", "progress", "state"]
    list_filter = ["state", "progress", "lead"]
    raw_id_fields = ["node", "agency", "jurisdiction", "consolidated_into"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["name", "report", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["report", "uploaded_by"]
