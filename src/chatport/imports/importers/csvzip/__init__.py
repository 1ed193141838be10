"""Rocket.Chat's CSV zip (importers §4)."""

from chatport.imports.importers.csvzip.reader import CsvExport

__all__ = ["CsvExport"]
