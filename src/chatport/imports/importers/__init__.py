"""Importer readers, one per archive format: they turn a stored file into records.

A reader knows nothing of the database or the workspace (an import-linter contract checks
it); staging its records is the job of ``chatport.imports.preparers``.
"""
