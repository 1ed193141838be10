"""Steps the browser tests share: sign in, screenshots for docs/admin.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "admin"


def shot(page: Page, name: str) -> None:
    """A screenshot of the whole page into docs/admin/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(
    page: Page, base_url: str, user: str, password: str, *, screenshot: bool = False
) -> None:
    page.goto(f"{base_url}/admin")
    expect(page).to_have_url(re.compile(r"/admin/login\?next=%2Fadmin$"))
    page.get_by_label("Username or email").fill(user)
    page.get_by_label("Password").fill(password)
    if screenshot:
        shot(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()


def local_storage(page: Page, key: str) -> Any:
    return page.evaluate("(key) => localStorage.getItem(key)", key)
