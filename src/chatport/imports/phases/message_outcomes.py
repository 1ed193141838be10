"""What one message record becomes: a row to write, or a counted skip or error, plus what
staging must keep (errors, warnings, pins). Pure given the converter, so the same function
runs in the importing process or in a reader child (``slack_member_work``)."""

from __future__ import annotations

from typing import Any

from chatport.imports.convert.messages import MessageConverter
from chatport.imports.importers.slack.records import ReaderRecord
from chatport.workspace.messages import EncodedRow, encode, prepare

#: A staged leftover: ``(state, data, extra)``; state ``pin`` is finishing's work.
Kept = tuple[str, dict[str, Any], dict[str, Any]]
#: ``(state, row, kept)``: state ``done`` with a row to write, else ``error`` or ``skipped``.
Outcome = tuple[str, "EncodedRow | None", "list[Kept] | None"]


def classify(converter: MessageConverter, record: ReaderRecord) -> Outcome:
    if record.errors:
        return "error", None, [("error", record.data, _extra(record, errors=record.errors))]
    if record.skip_reason:
        if record.data.get("pinTarget"):  # an unpin: finishing needs it
            extra = _extra(record, skip_reason=record.skip_reason)
            return "skipped", None, [("skipped", record.data, extra)]
        return "skipped", None, None
    result = converter.convert(record.data)
    if result.doc is None:
        if result.errors:
            return "error", None, [("error", record.data, _extra(record, errors=result.errors))]
        return "skipped", None, None
    kept: list[Kept] = []
    warnings = list(record.warnings) + result.warnings
    if warnings:
        kept.append(("done", record.data, _extra(record, warnings=warnings)))
    if record.data.get("pinTarget") or record.data.get("_pins"):
        pin = {**record.data, "_rid": result.doc["rid"], "_author": result.doc["u"]}
        kept.append(("pin", pin, _extra(record)))
    return "done", encode(prepare(result.doc)), kept or None


def _extra(record: ReaderRecord, **fields: Any) -> dict[str, Any]:
    return {"source": record.source, **fields}
