"""The OpenAPI document says what the endpoints ask for: a token is optional on public reads."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_public_reads_take_a_token_optionally_and_writes_require_one(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operations = {
        (method, path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    for path in ("/api/v1/plans", "/api/v1/plans/{slug}", "/api/v1/agencies/{code}"):
        assert operations["get", path]["security"] == [{}, {"TokenAuth": []}], path
    assert operations["patch", "/api/v1/agencies/{code}"]["security"] == [{"TokenAuth": []}]
    assert document["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
    # And they behave so: no token is fine, a bad one is refused.
    assert client.get("/api/v1/plans").status_code == 200
    assert client.get("/api/v1/plans", HTTP_AUTHORIZATION="Bearer hrap_x_y").status_code == 401


def test_the_docs_page_loads_swagger_ui_from_this_site(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
