"""The admin page at ``/admin``: HTML shells and their static files, nothing else.

Each page is a Jinja2 template rendered without data; its script signs in and calls the REST
API with the token it keeps in ``localStorage`` (as Rocket.Chat's web client does), so the page
can do nothing the API does not offer. This module imports nothing of the domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

HERE: Final = Path(__file__).resolve().parent
STATIC_DIR: Final = HERE / "static"
STATIC_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9_-]*\.(js|css|svg)$")
MEDIA_TYPES: Final = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}

# The page's scripts and styles are its own files; data from the API is only ever inserted
# as text, and the policy forbids inline scripts, so imported content cannot run as code.
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/admin", include_in_schema=False)


@dataclass(frozen=True)
class Page:
    template: str
    title: str
    script: str
    section: str  # which navigation entry is current
    signed_in: bool = True  # False: the sign-in and not-allowed pages show no navigation
    helper: str = ""  # a second script the page needs before its own


PAGES: Final = {
    "history": Page("history.html", "Import", "history.js", "import"),
    "new": Page("new.html", "New import", "new.js", "import"),
    "prepare": Page("prepare.html", "Prepare import", "prepare.js", "import"),
    "progress": Page(
        "progress.html", "Import progress", "progress.js", "import", helper="errors.js"
    ),
    "import": Page("import.html", "Import details", "import.js", "import", helper="errors.js"),
    "settings": Page("settings.html", "Settings", "settings.js", "settings"),
    "rooms": Page("rooms.html", "Rooms", "rooms.js", "rooms"),
    "room": Page("room.html", "Room", "room.js", "rooms", helper="render.js"),
    "users": Page("users.html", "Users", "users.js", "users"),
    "login": Page("login.html", "Sign in", "login.js", "", signed_in=False),
    "not_allowed": Page("not_allowed.html", "Not allowed", "not_allowed.js", "", signed_in=False),
}


def _render(request: Request, name: str, **extra: str) -> Response:
    page = PAGES[name]
    response = templates.TemplateResponse(
        request, page.template, {"page": page, "page_name": name, **extra}
    )
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("")
def history(request: Request) -> Response:
    return _render(request, "history")


@router.get("/")
def history_slash() -> Response:
    return RedirectResponse("/admin")


@router.get("/login")
def login(request: Request) -> Response:
    return _render(request, "login")


@router.get("/not-allowed")
def not_allowed(request: Request) -> Response:
    return _render(request, "not_allowed")


@router.get("/import/new")
def new_import(request: Request) -> Response:
    return _render(request, "new")


@router.get("/import/prepare")
def prepare_import(request: Request) -> Response:
    return _render(request, "prepare")


@router.get("/import/progress")
def import_progress(request: Request) -> Response:
    return _render(request, "progress")


@router.get("/imports/{operation_id}")
def import_details(request: Request, operation_id: str) -> Response:
    return _render(request, "import", operation_id=operation_id)


@router.get("/settings")
def settings(request: Request) -> Response:
    return _render(request, "settings")


@router.get("/rooms")
def rooms(request: Request) -> Response:
    return _render(request, "rooms")


@router.get("/rooms/{room_id}")
def room(request: Request, room_id: str) -> Response:
    return _render(request, "room", room_id=room_id)


@router.get("/users")
def users(request: Request) -> Response:
    return _render(request, "users")


@router.get("/static/{name}")
def static(name: str) -> Response:
    match = STATIC_NAME.match(name)
    path = STATIC_DIR / name
    if match is None or not path.is_file():
        raise HTTPException(404)
    response = FileResponse(path, media_type=MEDIA_TYPES[match.group(1)])
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-cache"
    return response
