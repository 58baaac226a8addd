"""The HTTP API (/api/v1/): reads of published plans and the directory, and the writes the
policy allows. Errors come back as {"error": …} with the status of HRAP's error hierarchy."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hrap.accounts import policy
from hrap.api.auth import OPTIONAL_TOKEN, TokenAuth, TokenOrSession
from hrap.core.errors import EditConflict, HrapError, InvalidInput, NotFound, Problem
from hrap.directory import selectors as directory_selectors
from hrap.directory import services as directory_services
from hrap.plans import selectors as plan_selectors

# The schema and its page are read only: other methods are answered 405.
api = NinjaAPI(
    title="HRAP API", version="1", urls_namespace="api", auth=None, docs_decorator=require_safe
)
token = TokenAuth()
reader = TokenOrSession()


def _user(request: HttpRequest) -> Any:
    return getattr(request, "user", None) or AnonymousUser()


@api.exception_handler(HrapError)
def hrap_error(request: HttpRequest, exc: HrapError) -> HttpResponse:
    body: dict[str, Any] = {"error": str(exc) if exc.status != 404 else "not found"}
    if isinstance(exc, InvalidInput):
        body["problems"] = [{"where": p.where, "what": p.what} for p in exc.problems]
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"error": "a valid API token is required"}, status=401)


class PlanSummary(Schema):
    slug: str
    revision: int
    title: dict[str, str]
    period_start: int | None  # a draft may not state its period yet
    period_end: int | None
    status: str


class LocalizedText(Schema):
    name: dict[str, str]
    abbreviation: dict[str, str] = {}
    # The version the change is based on (from GET); required, so that no edit is lost.
    version: int | None = None


class AgencyOut(Schema):
    code: str
    name: dict[str, str]
    abbreviation: dict[str, str]
    version: int


class Conflict(Schema):
    error: str
    current_version: int


@api.get("/plans", response=list[PlanSummary], auth=reader, openapi_extra=OPTIONAL_TOKEN)
def plans(request: HttpRequest) -> Any:
    return list(plan_selectors.plan_list(viewer=_user(request)))


@api.get("/plans/{slug}", auth=reader, openapi_extra=OPTIONAL_TOKEN)
def plan_file(request: HttpRequest, slug: str) -> Any:
    plan = plan_selectors.plan_get(viewer=_user(request), slug=slug)
    return plan_selectors.plan_document(plan=plan)


@api.get("/agencies/{code}", response=AgencyOut, auth=reader, openapi_extra=OPTIONAL_TOKEN)
def agency(request: HttpRequest, code: str) -> Any:
    found = directory_selectors.agency_list().filter(code=code).first()
    if found is None:
        raise NotFound("not found")
    return found


@api.patch("/agencies/{code}", response={200: AgencyOut, 409: Conflict}, auth=token)
def agency_update(request: HttpRequest, code: str, payload: LocalizedText) -> Any:
    found = directory_selectors.agency_list().filter(code=code).first()
    if found is None:
        raise NotFound("not found")
    policy.require_or_hide(request.user, "agency.edit", found)
    if payload.version is None:
        raise InvalidInput(
            [Problem("version", "required: the version of the agency the change is based on")]
        )
    try:
        return directory_services.agency_update(
            agency=found,
            actor=request.user,
            version=payload.version,
            name=payload.name,
            abbreviation=payload.abbreviation,
        )
    except EditConflict as exc:
        return Status(409, {"error": str(exc), "current_version": exc.current_version})


__all__ = ["HttpError", "NinjaValidationError", "api"]
