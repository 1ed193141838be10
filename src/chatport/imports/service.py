"""The use cases behind the fifteen import endpoints (rest-api §4).

Each method does the checks in the contract's order and either answers or raises a domain
error. Long work (streaming a body, preparing, converting) is handed to the job runner.
"""

from __future__ import annotations

import logging
import urllib.parse
from typing import Any

from chatport.accounts.settings_registry import DEFAULT_USER_ROLES, IMPORT_MAX_FILE_BYTES
from chatport.clock import file_stamp, iso_ms
from chatport.context import Context
from chatport.errors import CodedError, PlainError
from chatport.fetch.errors import FetchRefused, UrlInvalid
from chatport.fetch.url import parse_url
from chatport.imports import operations as ops
from chatport.imports import registry as reg
from chatport.imports import selection as sel
from chatport.imports import selection_marks as marks
from chatport.imports import staging, steps
from chatport.imports.b64 import decode_lenient, decoded_length
from chatport.imports.conversion import start_conversion
from chatport.imports.download import Requester, stream_to_store
from chatport.imports.filestore import safe_display_name
from chatport.imports.lease import Lease
from chatport.imports.pending import start_pending
from chatport.imports.prepare import start_preparation
from chatport.imports.transitions import cancel, fail

log = logging.getLogger("chatport.imports")

NOT_DEFINED = "error-importer-not-defined"
NOT_FOUND = "error-operation-not-found"
INVALID_OP = "error-import-operation-invalid"


def not_defined(key: str, details: str) -> CodedError:
    return CodedError(NOT_DEFINED, f"The importer ({key}) has no import class defined.", details)


class ImportService:
    def __init__(self, ctx: Context):
        self.ctx = ctx

    # --- helpers ---------------------------------------------------------------------------

    def _now(self) -> int:
        return self.ctx.clock.now_ms()

    def _current(self) -> ops.Operation | None:
        with self.ctx.engine.connect() as conn:
            return ops.current(conn)

    def _current_and_entry(self, details: str) -> tuple[ops.Operation, reg.ImporterEntry]:
        op = self._current()
        if op is None:
            raise CodedError(NOT_FOUND, "Import Operation Not Found", details)
        entry = self.ctx.registry.get(op.importer_key)
        if entry is None:
            raise not_defined(op.importer_key, details)
        return op, entry

    def _new_operation(
        self, entry: reg.ImporterEntry, user_id: str, type_name: str | None = None
    ) -> ops.Operation:
        with self.ctx.engine.begin() as conn:
            return ops.create(
                conn,
                key=entry.key,
                type_name=type_name or entry.name,
                user_id=user_id,
                now=self._now(),
            )

    def _begin_conversion(self, op: ops.Operation, choice: sel.Selection, user_id: str) -> bool:
        """Selection → importing_started (compare-and-set), then queue the conversion."""
        with self.ctx.engine.begin() as conn:
            moved = ops.update_op(
                conn,
                op,
                self._now(),
                status=steps.IMPORTING_STARTED,
                expect_status=frozenset({steps.USER_SELECTION}),
                require_valid=True,
                checkpoint={"selection": choice.to_json(), "starter": user_id},
                doc_set={"importStartedAt": iso_ms(self._now())},
            )
        if moved:
            start_conversion(self.ctx, op.id)
        return moved

    # --- uploadImportFile ----------------------------------------------------------------

    def upload_file(self, user_id: str, body: dict[str, Any]) -> None:
        key = body["importerKey"]
        entry = self.ctx.registry.for_file_route(key)
        if entry is None:
            raise not_defined(key, "uploadImportFile")
        content = body["binaryContent"]
        if decoded_length(content) > int(self.ctx.settings.get(IMPORT_MAX_FILE_BYTES)):
            raise PlainError("error-import-file-too-large")
        data = decode_lenient(content)
        op = self._new_operation(entry, user_id)
        display = f"{stamp(op.ts)}_{user_id}_{safe_display_name(body['fileName'])}"
        with self.ctx.engine.begin() as conn:
            ops.update_op(
                conn,
                op,
                self._now(),
                status=steps.UPLOADING,
                doc_set={"file": display, "contentType": body["contentType"]},
            )
        try:
            stored = self.ctx.store.write_all(op.id, data)
        except OSError:
            log.exception("operation %s: storing the upload failed", op.id)
            self.ctx.store.discard(op.id)
            fail(self.ctx, op, steps.FAIL_STORE)
            raise
        with self.ctx.engine.begin() as conn:
            ops.update_op(
                conn,
                op,
                self._now(),
                status=steps.FILE_LOADED,
                stored_name=stored.name,
                file_size=stored.size,
                file_sha256=stored.sha256,
            )
        if self.ctx.config.import_prepare_eagerly:
            start_preparation(self.ctx, op.id)

    # --- downloadPublicImportFile ----------------------------------------------------------

    def download_public_file(
        self, user_id: str, file_url: str, key: str, requester: Requester | None = None
    ) -> None:
        """Checks, the operation, the fetch up to the final headers; the body in the background.

        With a ``requester`` (the HTTP route), the client leaving before the answer cancels the
        operation: the fetch's socket is closed wherever it is, and the ``.part`` removed.
        """
        entry = self.ctx.registry.for_file_route(key)
        if entry is None:
            raise not_defined(key, "uploadImportFile")
        shape_refusal: FetchRefused | None = None
        parsed = None
        try:
            parsed = parse_url(file_url)
        except UrlInvalid:
            raise CodedError(
                "error-invalid-import-file-url", file_url or None, "downloadPublicImportFile"
            ) from None
        except FetchRefused as exc:
            shape_refusal = exc
        op = self._new_operation(entry, user_id)
        name = _url_basename(file_url) if parsed is None else parsed.basename()
        display = f"{stamp(op.ts)}_{user_id}_{safe_display_name(name)}"
        lease = Lease(self.ctx, op.id)
        with self.ctx.engine.begin() as conn:
            ops.update_op(conn, op, self._now(), status=steps.UPLOADING, doc_set={"file": display})
        lease.acquire()
        with self.ctx.engine.begin() as conn:
            ops.update_op(conn, op, self._now(), status=steps.DOWNLOADING_FILE)
        if shape_refusal is not None or parsed is None:
            code = shape_refusal.code if shape_refusal else steps.FAIL_SSRF
            words = shape_refusal.message if shape_refusal else None
            fail(self.ctx, op, code, words, owner=lease.owner)
            raise PlainError(code)
        from chatport.fetch.download import open_download

        abort = requester.abort if requester is not None else None
        try:
            download = open_download(
                parsed, self.ctx.fetch_policy(), self.ctx.download_limits(), abort=abort
            )
        except FetchRefused as exc:
            if requester is not None and requester.gone:
                log.info("operation %s: the client left before the answer", op.id)
                cancel(self.ctx, op, owner=lease.owner)
                raise PlainError(steps.FAIL_CANCELLED) from None
            log.warning("operation %s: download refused: %s", op.id, exc.message)
            fail(self.ctx, op, exc.code, exc.message, owner=lease.owner)
            raise PlainError(exc.code) from None
        self.ctx.runner.submit(stream_to_store, self.ctx, op, lease, download, requester)

    # --- getImportFileData -----------------------------------------------------------------

    def file_data(self) -> dict[str, Any]:
        op, entry = self._current_and_entry("getImportFileData")
        state = steps.state_of(op.status, op.valid)
        if state in ("error", "canceled"):
            raise CodedError(INVALID_OP, "Invalid Import Operation", "getImportFileData")
        if state == "loading":
            if op.status == steps.FILE_LOADED:
                start_preparation(self.ctx, op.id)
            return {"waiting": True}
        if state == "new" and entry.takes_file:
            return {"waiting": True}
        with self.ctx.engine.connect() as conn:
            users = staging.records(conn, op.id, "user")
            channels = staging.records(conn, op.id, "channel")
            built = sel.build(entry.name, users, channels, op.count.get("messages", 0))
            marks.mark_users(conn, built["users"])
            marks.mark_channels(conn, built["channels"])
        return built

    # --- startImport -----------------------------------------------------------------------

    def start_import(self, user_id: str, input_data: dict[str, Any]) -> None:
        op, _entry = self._current_and_entry("startImport")
        if not op.valid or op.status != steps.USER_SELECTION:
            raise CodedError(INVALID_OP, "Invalid Import Operation", "startImport")
        choice = sel.from_input(input_data)
        if not self._begin_conversion(op, choice, user_id):
            raise CodedError(INVALID_OP, "Invalid Import Operation", "startImport")

    # --- progress and listings ---------------------------------------------------------------

    def progress(self) -> dict[str, Any]:
        op, entry = self._current_and_entry("getImportProgress")
        count = op.count
        out_count = {
            "completed": count.get("completed", 0),
            "total": count.get("total", 0),
            "error": count.get("error", 0),
        }
        if "skipped" in count:
            out_count["skipped"] = count["skipped"]
        key, name = (reg.API, "API") if op.type == "api" else (entry.key, entry.name)
        return {"key": key, "name": name, "step": op.status, "count": out_count}

    def latest(self) -> list[dict[str, Any]]:
        with self.ctx.engine.connect() as conn:
            return [op.record() for op in ops.latest(conn)]

    def current_record(self) -> dict[str, Any] | None:
        op = self._current()
        return op.record() if op else None

    def importers(self) -> list[dict[str, str]]:
        return [{"key": e.key, "name": e.name} for e in self.ctx.registry.visible()]

    # --- pending downloads -------------------------------------------------------------------

    def download_pending(self, user_id: str, key: str, details: str) -> int:
        entry = self.ctx.registry.get(key)
        if entry is None:
            raise CodedError(NOT_DEFINED, "The Pending File Importer was not found.", details)
        op = self._new_operation(entry, user_id)
        return start_pending(self.ctx, op, from_status=steps.PREPARING_STARTED)

    # --- clear / new / status ----------------------------------------------------------------

    def clear(self) -> None:
        with self.ctx.engine.begin() as conn:
            ops.clear(conn, self._now())

    def new_api_operation(self, user_id: str) -> dict[str, Any]:
        entry = self.ctx.registry.get(reg.API)
        assert entry is not None
        op = self._new_operation(entry, user_id, type_name="api")
        return op.record()

    def status(self) -> dict[str, Any]:
        op = self._current()
        if op is None:
            return {"state": "none"}
        return {"state": steps.state_of(op.status, op.valid), "operation": op.record()}

    # --- import.addUsers / import.run ----------------------------------------------------------

    def add_users(self, users: list[dict[str, Any]]) -> None:
        if not users:
            return
        op = self._current()
        if op is None or not op.valid:
            raise PlainError("Import operation not initialized.")
        state = steps.state_of(op.status, op.valid)
        if state in ("loading", "importing"):
            raise PlainError("The current import operation can not receive new data.")
        if state in ("done", "error", "canceled"):
            raise PlainError("The current import operation is already finished.")
        for user in users:
            if not _non_empty_strings(user.get("emails")) or not _non_empty_strings(
                user.get("importIds")
            ):
                raise PlainError("Users are missing required data.")
        defaults = _default_roles(str(self.ctx.settings.get(DEFAULT_USER_ROLES) or ""))
        records = []
        with self.ctx.engine.connect() as conn:
            from chatport.accounts import repository as accounts_repo

            known_roles = accounts_repo.role_ids(conn)
        for user in users:
            roles = list(dict.fromkeys([*(user.get("roles") or []), *defaults]))
            if any(r not in known_roles for r in roles):
                raise PlainError("One or more of the users have been assigned invalid roles.")
            records.append(_api_user_record(user, roles))
        with self.ctx.engine.begin() as conn:
            fresh = ops.get(conn, op.id)
            if (
                fresh is None
                or not fresh.valid
                or fresh.status not in (steps.NEW, steps.USER_SELECTION)
            ):
                raise PlainError("The current import operation can not receive new data.")
            staging.add(conn, op.id, "user", records, self._now())
            count = fresh.count
            count["total"] = count.get("total", 0) + len(records)
            count["users"] = count.get("users", 0) + len(records)
            ops.update_op(
                conn, fresh, self._now(), status=steps.USER_SELECTION, doc_set={"count": count}
            )

    def run(self, user_id: str) -> None:
        op = self._current()
        if op is None or not op.valid:
            raise PlainError("error-operation-not-found")
        if op.status != steps.USER_SELECTION:
            raise PlainError("error-invalid-operation-status")
        if self.ctx.registry.get(op.importer_key) is None:
            raise PlainError("error-importer-not-defined")
        choice = sel.Selection(users=sel.Choice(True))
        if not self._begin_conversion(op, choice, user_id):
            raise PlainError("error-invalid-operation-status")


def stamp(ms: int) -> str:
    """The time prefix of a stored file's display name."""
    return file_stamp(ms)


def _url_basename(raw: str) -> str:
    path = urllib.parse.urlsplit(raw).path if raw else ""
    return urllib.parse.unquote(path.rsplit("/", 1)[-1])


def _non_empty_strings(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, str) and v.strip() for v in value)


def _default_roles(setting: str) -> list[str]:
    return [r.strip() for r in setting.split(",") if r.strip()]


API_USER_FIELDS = (
    "username",
    "name",
    "utcOffset",
    "avatarUrl",
    "deleted",
    "statusText",
    "bio",
    "password",
)


def _api_user_record(user: dict[str, Any], roles: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "importIds": [str(i) for i in user["importIds"] if isinstance(i, str) and i],
        "emails": [e for e in user["emails"] if isinstance(e, str) and e.strip()],
        "type": user.get("type") if user.get("type") in ("user", "bot") else "user",
        "roles": roles,
        "_rolesTrusted": True,
    }
    for key in API_USER_FIELDS:
        if user.get(key) is not None:
            record[key] = user[key]
    if user.get("customFields") is not None:  # checked by the converter (§1.7, A-8 row 8.4)
        record["customFields"] = user["customFields"]
    return record
