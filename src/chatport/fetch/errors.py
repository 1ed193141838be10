"""The two ways a fetch can fail, and the fixed codes the API may show.

Why two classes: the API answers them differently. A URL that is not an http(s) URL at all
(``UrlInvalid``) is answered before any operation exists; everything else (``FetchRefused``) ends
an operation that was already created (rest-api §4.2.4).

Why fixed codes only: error texts must not be an oracle (security-reliability §1.11). A closed
port, a timeout and a 500 look the same to the caller, and no remote byte, resolved address or
socket message ever reaches ``str(exc)`` or ``exc.args``. The optional ``detail`` is chosen from
this package's own fixed vocabulary, for the server log only.
"""

from __future__ import annotations

INVALID_URL = "error-invalid-import-file-url"
SSRF_VALIDATION_FAILED = "error-ssrf-validation-failed"
TOO_MANY_REDIRECTS = "error-too-many-redirects"
LOCATION_MISSING = "redirect-response-location-header-missing"
PROCESSING_REQUEST = "error-processing-request"
FILE_TOO_LARGE = "error-import-file-too-large"
DOWNLOAD_FAILED = "error-import-file-download-failed"

REFUSAL_CODES = frozenset(
    {
        SSRF_VALIDATION_FAILED,
        TOO_MANY_REDIRECTS,
        LOCATION_MISSING,
        PROCESSING_REQUEST,
        FILE_TOO_LARGE,
        DOWNLOAD_FAILED,
    }
)


class UrlInvalid(Exception):
    """The input is not an acceptable http(s) URL; the API creates no operation.

    ``detail`` names the broken rule for logs; the raw URL is deliberately not stored here.
    """

    code = INVALID_URL

    def __init__(self, detail: str = "") -> None:
        super().__init__(INVALID_URL)
        self.detail = detail

    def __str__(self) -> str:
        return INVALID_URL


class FetchRefused(Exception):
    """A fetch that was refused or failed; ``code`` is one of ``REFUSAL_CODES``.

    ``detail`` is the fixed-vocabulary reason; ``message`` says it in words for the
    administrator who asked for the fetch ("HTTP 404 from files.example.com", "port 8765 is
    not allowed: add files.example.com:8765 to SSRF_Allowlist"): the operation's
    ``failureMessage``, the admin page, the CLI and the server log. It names only what the
    administrator typed (host, port), the addresses checked and the status line's code, never
    a query string, a header or a byte of the body. The code the API answers stays the same.
    """

    code: str

    def __init__(self, code: str, detail: str = "", message: str = "") -> None:
        if code not in REFUSAL_CODES:
            raise ValueError("unknown fetch refusal code")
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.message = message or detail

    def __str__(self) -> str:
        return self.code
