"""What one message record becomes: a row to write, or a counted skip or error, plus what
staging must keep (errors, warnings, pins). Pure given the converter, so the same function
runs in the importing process or in a reader child (``slack_member_work``)."""

from __future__ import annotations

from typing import Any

from chatport.imports.convert.messages import MessageConverter
from chatport.imports.importers.slack.records import ReaderRecord
from chatport.workspace.messages import EncodedRow

#: A staged leftover: ``(state, data, extra)``; state ``pin`` is finishing's work.
Kept = tuple[str, dict[str, Any], dict[str, Any]]
#: ``(state, row, kept)``: state ``done`` with a row to write, else ``error`` or ``skipped``.
Outcome = tuple[str, "EncodedRow | None", "list[Kept] | None"]


def classify(converter: MessageConverter, record: ReaderRecord) -> Outcome:
    data = record.data
    if record.errors:
        return "error", None, [("error", data, _extra(record, errors=record.errors))]
    if record.skip_reason:
        if data.get("pinTarget"):  # an unpin: finishing needs it
            extra = _extra(record, skip_reason=record.skip_reason)
            return "skipped", None, [("skipped", data, extra)]
        return "skipped", None, None
    row, doc, problems = converter.convert_row(data)
    if row is None or doc is None:
        if problems:
            return "error", None, [("error", data, _extra(record, errors=problems))]
        return "skipped", None, None
    kept: list[Kept] | None = None
    if record.warnings or problems:
        kept = [("done", data, _extra(record, warnings=list(record.warnings) + problems))]
    if data.get("pinTarget") or data.get("_pins"):
        pin = {**data, "_rid": doc["rid"], "_author": dict(doc["u"])}  # u is shared
        if kept is None:
            kept = []
        kept.append(("pin", pin, _extra(record)))
    return "done", row, kept


def _extra(record: ReaderRecord, **fields: Any) -> dict[str, Any]:
    return {"source": record.source, **fields}
