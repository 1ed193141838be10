"""Slack export zip reader (importers.md §2): records for the generic pipeline."""

from .reader import SlackExport
from .records import ReaderRecord

__all__ = ["ReaderRecord", "SlackExport"]
