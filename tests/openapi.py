"""Checks API responses against the OpenAPI document the API itself publishes."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from config.api import api

_ROOT = "urn:kinga:openapi"


@cache
def _document() -> dict[str, Any]:
    # A JSON round trip gives the document exactly as clients read it (status keys as strings).
    return json.loads(json.dumps(api.get_openapi_schema()))


def assert_matches_schema(response: Any, path: str, method: str = "get") -> None:
    """Fail unless `response` (a Django test response) matches the documented schema.

    `path` is the templated path as documented, e.g. "/api/v1/sites/{site_id}".
    """
    document = _document()
    operation = document["paths"][path][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {path} does not document {status}"
    content = operation["responses"][status].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    assert schema is not None, f"{method.upper()} {path} {status} documents no JSON body"
    # The operation's schema refers to components by "#/components/...", so it is validated as
    # a component of the document itself.
    wrapped = {"$ref": f"{_ROOT}#/components/schemas/_probe"}
    document_with_probe = {**document, "components": {**document.get("components", {})}}
    document_with_probe["components"]["schemas"] = {
        **document["components"].get("schemas", {}),
        "_probe": schema,
    }
    registry: Registry[Any] = Registry().with_resource(
        _ROOT, Resource.from_contents(document_with_probe, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator(wrapped, registry=registry)
    errors = sorted(validator.iter_errors(response.json()), key=lambda error: list(error.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)
