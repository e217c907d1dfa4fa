from __future__ import annotations

import re


def test_api_docs_load_everything_locally(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, "the docs page should load its script and styles"
    assert all(source.startswith("/static/") for source in sources), sources


def test_openapi_document_is_published(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Kinga API"
    assert "/api/v1/me" in document["paths"]
