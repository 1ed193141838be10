"""The one failure a reader reports: its file cannot be parsed or holds nothing."""

from __future__ import annotations


class PrepareFailed(Exception):
    """The message is about the file's content and is shown to the admin."""
