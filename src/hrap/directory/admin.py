from django.contrib import admin

from hrap.core.admin import ReadOnlyAdmin
from hrap.directory.models import Agency, Jurisdiction


@admin.register(Jurisdiction)
class JurisdictionAdmin(ReadOnlyAdmin):
    list_display = ["code", "__str__", "level", "kind", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "national_code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "__str__", "parent", "jurisdiction", "joint_meeting_member"]
    list_filter = ["joint_meeting_member"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "jurisdiction"]
