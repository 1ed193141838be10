"""chatport's only outbound HTTP client.

Why one module for every outbound request (archives, pending files, avatars): the SSRF rules,
pinning and download bounds are enforced in one place, so no code path can forget them
(security-reliability §1.3.8). It imports nothing else of chatport.
"""

from .addresses import address_allowed, is_link_local_or_metadata
from .download import Download, open_download
from .errors import FetchRefused, UrlInvalid
from .limits import Limits
from .ssrf import FetchPolicy, check_target
from .timing import Abort
from .url import ParsedUrl, parse_url

__all__ = [
    "Abort",
    "Download",
    "FetchPolicy",
    "FetchRefused",
    "Limits",
    "ParsedUrl",
    "UrlInvalid",
    "address_allowed",
    "check_target",
    "is_link_local_or_metadata",
    "open_download",
    "parse_url",
]
