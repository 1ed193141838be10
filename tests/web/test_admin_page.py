"""The admin page at /admin, driven in the system Chromium through the acceptance flow.

Sign in → a Slack import by URL from a loopback server with a partial selection → progress to
done with the per-record errors → browsing a room's thread → the pending-files button; a
refused URL; a non-admin. Each page's screenshot goes to docs/admin/ for docs/admin.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest

if os.environ.get("CI") != "true":  # in CI a missing package fails instead
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from playwright.sync_api import Page, expect  # noqa: E402

from tests.support.fileserver import FileServer, Route  # noqa: E402
from tests.support.server import ADMIN, LiveServer  # noqa: E402
from tests.web.export import export, export_with_files  # noqa: E402
from tests.web.helpers import local_storage, shot, sign_in  # noqa: E402


def test_import_by_url_with_partial_selection_then_browse(
    server: LiveServer, files: FileServer, page: Page
) -> None:
    admin = server.admin()
    files.routes["/notes.txt"] = Route(body=b"meeting notes\n")
    body = export_with_files(files.url("/notes.txt"))
    # The body trickles in, so the page shows the download before the selection.
    files.routes["/export.zip"] = Route(body=body, chunk=len(body) // 4 + 1, delay=0.75)
    server.set_setting(admin, "SSRF_Allowlist", f"127.0.0.1:{files.port}")
    base = server.base_url

    # Sign in: the token is kept as Rocket.Chat's web client keeps it.
    sign_in(page, base, ADMIN, ADMIN, screenshot=True)
    expect(page).to_have_url(f"{base}/admin")
    expect(page.locator("#whoami")).to_have_text(ADMIN)
    assert local_storage(page, "Meteor.userId") == ADMIN
    assert local_storage(page, "Meteor.loginToken")
    expect(page.get_by_text("No import has run yet.")).to_be_visible()

    # New import: Slack, by URL.
    page.get_by_role("link", name="New import").click()
    expect(page).to_have_url(f"{base}/admin/import/new")
    # Nothing is preselected (a Slack zip imported as the first entry, CSV, used to fail
    # row by row): the format is the administrator's choice.
    expect(page.get_by_label("Import type")).to_have_value("")
    page.get_by_label("Import type").select_option(label="Slack")
    page.get_by_label("File URL").fill(files.url("/export.zip"))
    shot(page, "new-import")
    page.get_by_role("button", name="Import").click()

    # Prepare: the download and the reading of the archive, then users and channels.
    expect(page).to_have_url(f"{base}/admin/import/prepare")
    expect(page.locator("#prepare-state-text")).to_have_text("Downloading the file…")
    shot(page, "prepare-downloading")
    expect(page.locator("#selection")).to_be_visible()
    expect(page.locator("#selection-summary")).to_have_text(
        "Slack: 4 users, 4 channels, 15 messages in the archive."
    )
    users = page.locator("#users-list")
    channels = page.locator("#channels-list")
    expect(users.locator("li", has_text="carl")).to_contain_text("deleted")
    expect(users.locator("li", has_text="helper")).to_contain_text("bot")
    expect(channels.locator("li", has_text="Direct Messages")).to_contain_text(
        "all direct messages"
    )
    expect(page.locator("#users-count")).to_have_text("(4 of 4 selected)")
    # Search narrows the list; select none acts on what is shown.
    page.get_by_label("Search channels").fill("rand")
    expect(channels.locator("li:visible")).to_have_count(1)
    page.locator('section[data-kind="channels"]').get_by_role("button", name="Select none").click()
    page.get_by_label("Search channels").fill("")
    expect(page.locator("#channels-count")).to_have_text("(3 of 4 selected)")
    expect(page.get_by_label("random")).not_to_be_checked()
    # Keyboard: the deleted user is left out with the space bar.
    page.get_by_label("carl").focus()
    page.keyboard.press("Space")
    expect(page.locator("#users-count")).to_have_text("(3 of 4 selected)")
    shot(page, "prepare")
    page.get_by_role("button", name="Start import").click()

    # Progress, to done, with the summary and the record that failed on its own.
    expect(page).to_have_url(f"{base}/admin/import/progress")
    expect(page.locator("#summary-title")).to_have_text("Import finished", timeout=60_000)
    expect(page.locator("#progress-step")).to_have_text("Done")
    expect(page.locator("#overall-text")).to_contain_text("Errors 1")
    expect(page.locator("#elapsed")).to_contain_text(re.compile(r"^Elapsed: \d+ s\.$"))
    expect(page.locator("#phases li")).to_have_count(4)  # users, channels, messages, finishing
    errors = page.locator("#errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("importer-message-unknown-folder")
    expect(errors.first).to_contain_text("ghost/2020-09-13.json [0]")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download all errors as CSV").click()
    csv = download_info.value
    text = Path(csv.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == '"kind","import_id","entry","index","row","error","details"'
    assert '"importer-message-unknown-folder"' in text
    shot(page, "progress")

    # Browse: the unselected channel is absent; a room reads in order with its thread.
    page.get_by_role("link", name="Browse rooms").click()
    expect(page).to_have_url(f"{base}/admin/rooms")
    rooms = page.locator("#rooms tbody tr")
    expect(rooms).to_have_count(3)
    expect(page.locator("#rooms")).not_to_contain_text("random")
    dev_row = rooms.filter(has_text="dev")
    expect(dev_row).to_contain_text("Public channel")
    expect(dev_row.locator("td").nth(2)).to_have_text("2")
    expect(dev_row.locator("td").nth(3)).to_have_text("7")
    expect(rooms.filter(has_text="ann, bob")).to_contain_text("Direct message")
    shot(page, "rooms")
    page.get_by_label("Search rooms").fill("de")
    expect(rooms).to_have_count(1)
    page.get_by_role("link", name="dev").click()
    expect(page.locator("#room-title")).to_have_text("dev")
    messages = page.locator("#messages > li")
    expect(messages).to_have_count(5)  # the two thread replies live in their thread
    expect(messages.nth(0)).to_contain_text("Shall we ship the importer?")
    expect(messages.nth(1)).to_contain_text("bob joined the channel")
    expect(messages.nth(2)).to_contain_text("👍 1")  # :+1: as a reader sees it
    expect(messages.nth(3)).to_contain_text("(edited by bob")
    expect(messages.nth(4).locator(".attachment")).to_contain_text("Design document")
    toggle = page.get_by_role("button", name="Show thread (2 replies)")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    thread = page.locator("#messages .thread > li")
    expect(thread).to_have_count(2)
    expect(thread.nth(0)).to_contain_text("Yes, after the review")
    expect(thread.nth(1)).to_contain_text("Review done")
    expect(page.get_by_role("button", name="Hide thread (2 replies)")).to_have_attribute(
        "aria-expanded", "true"
    )
    shot(page, "room")

    # Users, with an avatar image or its initials.
    page.get_by_role("link", name="Users").click()
    user_rows = page.locator("#users tbody tr")
    expect(user_rows.filter(has_text="Ann Archer")).to_contain_text("imported")
    expect(user_rows.filter(has_text="Ann Archer").locator(".avatar")).to_have_count(1)
    expect(user_rows.filter(has_text="Helper Bot")).to_contain_text("bot")
    expect(user_rows.filter(has_text="Carl Gone")).to_have_count(0)  # left out above
    shot(page, "users")

    # History: the operation, then the pending-files button.
    page.get_by_role("link", name="Import", exact=True).click()
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first).to_contain_text("Slack")
    expect(history.first).to_contain_text("export.zip")
    expect(history.first).to_contain_text("Done")
    expect(history.first).to_contain_text("19 / 1 / 23")
    expect(history.first).to_contain_text(ADMIN)
    page.locator("#pending-files").click()
    expect(page.locator("#notice")).to_contain_text("1 file to download.")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("Pending Files")
    expect(history.first).to_contain_text("Done")  # the table follows the running download
    expect(history.first).to_contain_text("1 / 0 / 1")
    expect(page.locator("#pending-files")).to_contain_text("(last run: 1)")
    shot(page, "history")

    # The files: one from the zip, shown as an image, and the one just downloaded.
    page.get_by_role("link", name="Rooms").click()
    page.get_by_role("link", name="general").click()
    image = page.locator("#messages img.att-image")
    expect(image).to_have_attribute("alt", "diagram.png")
    page.wait_for_function("() => document.querySelector('img.att-image').naturalWidth === 48")
    expect(page.get_by_role("link", name="notes.txt")).to_have_attribute(
        "href", re.compile(r"^/file-upload/[^/]+/notes\.txt$")
    )
    shot(page, "room-files")

    # Sign out clears the token.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/admin/login")
    assert local_storage(page, "Meteor.loginToken") is None
    assert local_storage(page, "Meteor.userId") is None


def test_refused_url_is_explained_and_upload_works(server: LiveServer, page: Page) -> None:
    base = server.base_url
    sign_in(page, base, ADMIN, ADMIN)
    expect(page).to_have_url(f"{base}/admin")
    page.goto(f"{base}/admin/import/new")
    page.get_by_label("Import type").select_option(label="Slack")
    page.get_by_label("File URL").fill("http://127.0.0.1/export.zip")
    page.get_by_label("File URL").press("Enter")  # the keyboard submits the form
    alert = page.locator("#new-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("SSRF_Allowlist")
    expect(alert).to_contain_text("error-ssrf-validation-failed")
    expect(page).to_have_url(f"{base}/admin/import/new")
    shot(page, "refused-url")
    # The failed operation is in the history with its reason in words.
    page.goto(f"{base}/admin")
    row = page.locator("#history tbody tr").first
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("SSRF_Allowlist")
    # The same export uploaded instead reaches the selection.
    page.get_by_role("link", name="New import").click()
    page.get_by_label("Import type").select_option(label="Slack")
    page.get_by_label("Upload a file").check()
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "export.zip", "mimeType": "application/zip", "buffer": export()}]
    )
    page.get_by_role("button", name="Import").click()
    expect(page).to_have_url(f"{base}/admin/import/prepare")
    expect(page.locator("#selection-summary")).to_have_text(
        "Slack: 4 users, 4 channels, 11 messages in the archive."
    )


def test_non_admin_sees_not_allowed(server: LiveServer, page: Page) -> None:
    base = server.base_url
    server.create_user(server.admin(), "dora", "dora-password")
    sign_in(page, base, "dora", "wrong")
    expect(page.get_by_role("alert")).to_contain_text("Wrong username, email or password")
    page.get_by_label("Password").fill("dora-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/admin/not-allowed")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.locator("#na-message")).to_contain_text("signed in as dora")
    shot(page, "not-allowed")
    # Every admin page sends a non-admin here, whatever the URL.
    page.goto(f"{base}/admin/rooms")
    expect(page).to_have_url(f"{base}/admin/not-allowed")
    page.get_by_role("button", name="Sign in as someone else").click()
    expect(page).to_have_url(f"{base}/admin/login")
    assert local_storage(page, "Meteor.loginToken") is None


def test_pages_are_served_with_a_strict_policy(server: LiveServer) -> None:
    for path in ("/admin", "/admin/login", "/admin/rooms/GENERAL", "/admin/import/progress"):
        r = httpx.get(server.base_url + path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["cache-control"] == "no-store"
    js = httpx.get(server.base_url + "/admin/static/common.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    for bad in ("/admin/static/..%2Froutes.py", "/admin/static/routes.py", "/admin/static/x.js"):
        assert httpx.get(server.base_url + bad).status_code == 404, bad
    hostile = httpx.get(server.base_url + "/admin/rooms/%22%3E%3Cb%3Ex")
    assert 'data-room-id="&#34;&gt;&lt;b&gt;x"' in hostile.text
    slash = httpx.get(server.base_url + "/admin/")
    assert slash.status_code == 307 and slash.headers["location"] == "/admin"
