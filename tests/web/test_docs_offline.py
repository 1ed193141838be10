"""/docs renders with no internet: every asset comes from this server (issue
defect 9)."""

from __future__ import annotations

import os

import pytest

if os.environ.get("CI") != "true":  # in CI a missing package fails instead
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from playwright.sync_api import Page, Route, expect  # noqa: E402

from tests.support.server import LiveServer  # noqa: E402


def test_docs_render_offline(server: LiveServer, page: Page) -> None:
    elsewhere: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(server.base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.goto(f"{server.base_url}/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/v1/downloadPublicImportFile").first).to_be_visible()
    assert elsewhere == []
