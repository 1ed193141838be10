"""GET /docs serves the OpenAPI page, and the schema lists every route."""

from __future__ import annotations

from tests.support.server import LiveServer

ROUTES = [
    "/api/info",
    "/api/v1/login",
    "/api/v1/logout",
    "/api/v1/me",
    "/api/v1/users.generatePersonalAccessToken",
    "/api/v1/users.getPersonalAccessTokens",
    "/api/v1/users.removePersonalAccessToken",
    "/api/v1/users.create",
    "/api/v1/users.delete",
    "/api/v1/users.info",
    "/api/v1/users.list",
    "/api/v1/permissions.listAll",
    "/api/v1/settings/{setting_id}",
    "/api/v1/uploadImportFile",
    "/api/v1/downloadPublicImportFile",
    "/api/v1/getImportFileData",
    "/api/v1/startImport",
    "/api/v1/getImportProgress",
    "/api/v1/getLatestImportOperations",
    "/api/v1/getCurrentImportOperation",
    "/api/v1/downloadPendingFiles",
    "/api/v1/downloadPendingAvatars",
    "/api/v1/importers.list",
    "/api/v1/import.clear",
    "/api/v1/import.new",
    "/api/v1/import.status",
    "/api/v1/import.addUsers",
    "/api/v1/import.run",
]


def test_docs_page_and_schema(server: LiveServer) -> None:
    client = server.client()
    page = client.get("/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    schema = client.get("/openapi.json").json()
    for route in ROUTES:
        assert route in schema["paths"], route
    body = schema["paths"]["/api/v1/downloadPublicImportFile"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["required"] == ["fileUrl", "importerKey"]
