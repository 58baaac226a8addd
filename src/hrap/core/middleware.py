"""Maps HrapError to an HTTP answer in one place, and notes the request address for audit."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from hrap.core.context import request_address
from hrap.core.errors import HrapError


class HrapErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_address.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            request_address.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, HrapError):
            return None
        response = TemplateResponse(
            request, "core/error.html", {"error": exception}, status=exception.status
        )
        return response.render()
