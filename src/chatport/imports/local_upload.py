"""The CLI's upload: a local file streamed into the store (no base64, no size cap).

The operator who runs ``chatport import`` already has the file system, so no URL or SSRF rule
applies; the bytes still go to a name derived from the operation id only.
"""

from __future__ import annotations

import hashlib
import os

from chatport.context import Context
from chatport.imports import operations as ops
from chatport.imports import steps
from chatport.imports.filestore import safe_display_name
from chatport.imports.service import ImportService, not_defined, stamp
from chatport.imports.transitions import fail


def load_local_file(ctx: Context, user_id: str, path: str, key: str) -> str:
    """A new operation for ``key`` with the file at ``path`` loaded; its id."""
    entry = ctx.registry.for_file_route(key)
    if entry is None:
        raise not_defined(key, "uploadImportFile")
    service = ImportService(ctx)
    op = service._new_operation(entry, user_id)
    display = f"{stamp(op.ts)}_{user_id}_{safe_display_name(os.path.basename(path))}"
    with ctx.engine.begin() as conn:
        ops.update_op(
            conn, op, ctx.clock.now_ms(), status=steps.UPLOADING, doc_set={"file": display}
        )
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as source, ctx.store.open_part(op.id) as part:
            for chunk in iter(lambda: source.read(1 << 20), b""):
                part.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            stored = ctx.store.commit(op.id, part, size, digest.hexdigest())
    except OSError:
        ctx.store.discard(op.id)
        fail(ctx, op, steps.FAIL_STORE)
        raise
    with ctx.engine.begin() as conn:
        ops.update_op(
            conn,
            op,
            ctx.clock.now_ms(),
            status=steps.FILE_LOADED,
            stored_name=stored.name,
            file_size=stored.size,
            file_sha256=stored.sha256,
        )
    return op.id
