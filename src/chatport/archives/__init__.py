"""Reading import archives safely: never extracted, every byte counted.

Every import archive (Slack and CSV zips, HipChat tar.gz) and every JSON or CSV member is read
through this package, which implements security-reliability.md §1.5 item 6, §1.6 and §1.7. It
imports nothing else from chatport, so it can be reasoned about and fuzzed on its own. Errors are
:class:`ArchiveError` (and subclasses) whose message describes the content and is safe to show.
"""

from .csvguard import iter_csv_rows
from .errors import ArchiveError, InvalidRecord, MemberTooLarge
from .jsonarray import iter_json_array
from .jsonguard import JsonItem, JsonResult, load_json
from .limits import ArchiveLimits
from .names import display_name, is_junk, safe_member_name
from .sniff import Kind, sniff_bytes, sniff_kind
from .tarreader import iter_tar_gz
from .zipreader import SafeZip

__all__ = [
    "ArchiveError",
    "ArchiveLimits",
    "InvalidRecord",
    "JsonItem",
    "JsonResult",
    "Kind",
    "MemberTooLarge",
    "SafeZip",
    "display_name",
    "is_junk",
    "iter_csv_rows",
    "iter_json_array",
    "iter_tar_gz",
    "load_json",
    "safe_member_name",
    "sniff_bytes",
    "sniff_kind",
]
