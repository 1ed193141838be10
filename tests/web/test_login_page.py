"""The sign-in page says when a lockout ends (issue defect 9)."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

if os.environ.get("CI") != "true":  # in CI a missing package fails instead
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.support.server import ADMIN, LiveServer  # noqa: E402
from tests.web.helpers import shot  # noqa: E402


def test_lockout_says_when_to_try_again(make_server: Callable[..., LiveServer], page: Page) -> None:
    server = make_server(login_user_failures=2)
    page.goto(f"{server.base_url}/admin/login")
    error = page.locator("#login-error")
    for _ in range(2):
        page.get_by_label("Username or email").fill(ADMIN)
        page.get_by_label("Password").fill("wrong")
        page.get_by_role("button", name="Sign in").click()
        expect(error).to_have_text("Wrong username, email or password, or the account is inactive.")
    page.get_by_label("Password").fill(ADMIN)
    page.get_by_role("button", name="Sign in").click()
    expect(error).to_have_text(
        "Too many failed sign-in attempts for this account: try again in 5 minutes."
    )
    shot(page, "sign-in-locked")
