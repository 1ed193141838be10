"""``GET /file-upload/<id>/<name>`` and ``GET /avatar/<username>``: the imported bytes.

Files authenticate as Rocket.Chat's file routes do, by the ``rc_uid``/``rc_token`` cookies
(what a browser sends for an ``<img>``) or the ``X-User-Id``/``X-Auth-Token`` headers, and
only for users who can read the room; avatars are public. Both answer with the stored (sniffed)
type, ``nosniff``, a strict CSP, ``Content-Disposition`` (inline only for vetted images),
an ETag with ``If-None-Match`` → 304, and single byte ranges (206, or 416 when unsatisfiable).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from chatport.context import Context
from chatport.workspace.access import READ_PERMISSIONS
from chatport.workspace.files import Blob, FileAccess, FileForbidden, FileNotFound

router = APIRouter(tags=["files"])

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024


def _access(ctx: Context) -> FileAccess:
    return FileAccess(ctx.engine, ctx.config.resolved_upload_dir())


def _disposition(blob: Blob) -> str:
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", blob.filename) or "file"
    quoted = urllib.parse.quote(blob.filename, safe="")
    kind = "inline" if blob.inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """``(start, end)`` inclusive; None: serve everything; False: unsatisfiable (416)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None  # malformed or several ranges: a full answer is always allowed
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            return False
        return max(0, size - suffix), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return False
    return start, end


def _not_modified(if_none_match: str | None, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison (RFC 9110 §13.1.2)."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _read(blob: Blob, start: int, end: int) -> Iterator[bytes]:
    if blob.data is not None:
        yield blob.data[start : end + 1]
        return
    assert blob.path is not None
    remaining = end - start + 1
    with open(blob.path, "rb") as handle:
        handle.seek(start)
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk


def _serve(request: Request, blob: Blob, cache: str) -> Response:
    headers = {
        "ETag": blob.etag,
        "Cache-Control": cache,
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        "Content-Disposition": _disposition(blob),
    }
    if _not_modified(request.headers.get("if-none-match"), blob.etag):
        return Response(status_code=304, headers=headers)
    wanted = _byte_range(request.headers.get("range"), blob.size)
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != blob.etag:
        wanted = None
    if wanted is False:
        headers["Content-Range"] = f"bytes */{blob.size}"
        return Response(status_code=416, headers=headers)
    start, end = wanted if isinstance(wanted, tuple) else (0, blob.size - 1)
    status = 206 if isinstance(wanted, tuple) else 200
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{end}/{blob.size}"
    headers["Content-Length"] = str(max(0, end - start + 1))
    return StreamingResponse(
        _read(blob, start, end), status_code=status, headers=headers, media_type=blob.content_type
    )


@router.get("/file-upload/{upload_id}/{name:path}")
def file_upload(upload_id: str, name: str, request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    user_id = request.headers.get("x-user-id") or request.cookies.get("rc_uid")
    token = request.headers.get("x-auth-token") or request.cookies.get("rc_token")
    user = ctx.accounts.authenticate(user_id, token)
    if user is None:
        return Response("Forbidden", status_code=403, media_type="text/plain")
    held = {p for p in READ_PERMISSIONS if ctx.accounts.granted(user, (p,))}
    try:
        blob = _access(ctx).upload(upload_id, user.id, held)
    except FileForbidden:
        return Response("Forbidden", status_code=403, media_type="text/plain")
    except FileNotFound:
        return Response("Not found", status_code=404, media_type="text/plain")
    return _serve(request, blob, "private, max-age=31536000")


@router.get("/avatar/{username}")
def avatar(username: str, request: Request) -> Response:
    ctx: Context = request.app.state.ctx
    blob = _access(ctx).avatar(username)
    return _serve(request, blob, "public, max-age=0, must-revalidate")
