"""``GET /api/v1/import.errors``: the current operation's per-record errors (chatport's own).

Rocket.Chat has no route for them (its admin page shows only counts); the admin page lists
the first 100 and offers them all as CSV. Paginated like the read API: ``count`` ≤ 100.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Depends
from starlette.responses import Response

from chatport.accounts.seed import RUN_IMPORT
from chatport.api import envelope
from chatport.api.auth import Call, gate
from chatport.imports.record_errors import current_errors

router = APIRouter(prefix="/api/v1", tags=["import"], route_class=envelope.EnvelopeRoute)

MAX_COUNT: Final = 100
MAX_OFFSET: Final = 2**31 - 1
QUERY: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        "count": {"type": "number"},
        "offset": {"type": "number"},
        "warnings": {"type": "string", "enum": ["true", "false"]},
        "operationId": {"type": "string", "maxLength": 64},
    },
    "additionalProperties": False,
}


@router.get("/import.errors")
def import_errors(call: Call = Depends(gate(RUN_IMPORT))) -> Response:
    query = call.query(QUERY)
    offset = min(max(0, int(query.get("offset") or 0)), MAX_OFFSET)
    count = int(query.get("count") or MAX_COUNT)
    count = MAX_COUNT if count <= 0 else min(count, MAX_COUNT)
    warnings = query.get("warnings") == "true"
    operation_id = query.get("operationId") or None
    return envelope.success(current_errors(call.ctx, offset, count, warnings, operation_id))
