"""HipChat Server / Data Center exports (``hipchatenterprise``, importers.md §5)."""

from chatport.imports.importers.hipchat.reader import HipChatExport

__all__ = ["HipChatExport"]
