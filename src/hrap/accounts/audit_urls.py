from django.urls import path

from hrap.accounts import audit_views

urlpatterns = [path("", audit_views.audit_events, name="audit")]
