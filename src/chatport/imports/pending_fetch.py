"""Fetch one pending item's bytes into the upload store, or fail it with one fixed code.

Every fetch goes through ``chatport.fetch`` with the same SSRF policy and allowlist as
``downloadPublicImportFile``, narrowed by ``Import_Pending_AllowedHosts``, and capped by the
instance's upload limit (``FileUpload_MaxFileSize``; security-reliability §1.8). Failures map to
the item codes of importers.md §6.1; every network failure after the SSRF check is the same
``importer-file-download-failed``, so item errors are no port scanner (§1.11).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from chatport.accounts.settings_registry import PENDING_ALLOWED_HOSTS, UPLOAD_MAX_FILE_SIZE
from chatport.context import Context
from chatport.fetch.download import open_download
from chatport.fetch.errors import FILE_TOO_LARGE, SSRF_VALIDATION_FAILED, FetchRefused, UrlInvalid
from chatport.fetch.url import parse_url
from chatport.workspace.media import HTML, is_html_name, sniff
from chatport.workspace.upload_store import BlobWriter, UploadStore

UNSUPPORTED_URL = "importer-file-unsupported-url"
SSRF_FAILED = SSRF_VALIDATION_FAILED
DOWNLOAD_FAILED = "importer-file-download-failed"
HTML_RESPONSE = "importer-file-html-response"
TOO_LARGE = "importer-file-too-large"
NOT_AN_IMAGE = "importer-avatar-invalid-image"

_DATA_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)


class ItemFailed(Exception):
    """The item ends as an error with ``code``; the rest of the run continues. ``reason``
    says why in words (the fetch's own message: "HTTP 404 from files.slack.com"), and
    ``unreachable`` marks a failure that says the host cannot be reached at all (DNS,
    refused or timed-out connections), which the pool counts per host."""

    def __init__(self, code: str, reason: str = "", unreachable: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.reason = reason or REASONS.get(code, code)
        self.unreachable = unreachable


REASONS = {
    UNSUPPORTED_URL: "not an http(s) URL",
    HTML_RESPONSE: "the server answered an HTML page (an expired link or a login page)",
    TOO_LARGE: "larger than the upload size limit (FileUpload_MaxFileSize)",
    NOT_AN_IMAGE: "not a PNG, JPEG, GIF or WebP image",
}


def _failed(exc: FetchRefused) -> ItemFailed:
    unreachable = exc.message.startswith(("could not connect", "could not resolve")) or (
        "sent no answer" in exc.message
    )
    return ItemFailed(_item_code(exc), exc.message, unreachable)


def upload_cap(ctx: Context) -> int:
    return int(ctx.settings.get(UPLOAD_MAX_FILE_SIZE))


def _allowed_hosts(ctx: Context) -> tuple[str, ...]:
    raw = str(ctx.settings.get(PENDING_ALLOWED_HOSTS) or "")
    return tuple(h.strip().lower() for h in raw.split(",") if h.strip())


def _item_code(exc: FetchRefused) -> str:
    if exc.code == SSRF_VALIDATION_FAILED:
        return SSRF_FAILED
    if exc.code == FILE_TOO_LARGE:
        return TOO_LARGE
    return DOWNLOAD_FAILED


def _declares_html(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() in (HTML, "application/xhtml+xml")


def fetch_to_store(
    ctx: Context, url: str, name: str, store: UploadStore, tick: Callable[[], None]
) -> BlobWriter:
    """Download ``url`` into ``store``; returns the committed blob or raises ``ItemFailed``.

    ``tick`` runs between chunks: it renews the item's lease and raises to stop the transfer
    (cancellation, lost lease); the partial blob is then removed.
    """
    try:
        target = parse_url(url)
    except UrlInvalid:
        raise ItemFailed(UNSUPPORTED_URL) from None
    except FetchRefused as exc:  # the URL's shape is refused (security A-9 row 9.2)
        raise _failed(exc) from None
    policy = ctx.fetch_policy(allowed_hosts=_allowed_hosts(ctx))
    limits = ctx.download_limits(max_bytes=upload_cap(ctx))
    try:
        download = open_download(target, policy, limits)
    except FetchRefused as exc:
        raise _failed(exc) from None
    html_name = is_html_name(name)
    with download, store.writer() as blob:
        if _declares_html(download.content_type) and not html_name:
            raise ItemFailed(HTML_RESPONSE)
        try:
            for chunk in download.iter_chunks():
                blob.write(chunk)
                tick()
        except FetchRefused as exc:
            raise _failed(exc) from None
        if sniff(bytes(blob.head), name) == HTML and not html_name:
            raise ItemFailed(HTML_RESPONSE)
        blob.commit()
    return blob


def decode_data_uri(uri: str, cap: int) -> bytes:
    """A ``data:image/...;base64,`` avatar (HipChat), decoded within the cap."""
    match = _DATA_URI.match(uri)
    if match is None:
        raise ItemFailed(UNSUPPORTED_URL)
    payload = re.sub(r"\s+", "", uri[match.end() :])
    if len(payload) // 4 * 3 > cap + 3:
        raise ItemFailed(TOO_LARGE)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ItemFailed(NOT_AN_IMAGE) from None
    if len(data) > cap:
        raise ItemFailed(TOO_LARGE)
    return data
