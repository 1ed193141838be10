/* Import history: getLatestImportOperations, the current operation, pending downloads. */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const notice = document.getElementById("notice");
  const names = new Map(); // user _id → username, for "started by"
  let refresh = null;

  async function username(id) {
    if (!id) return "";
    if (!names.has(id)) {
      names.set(
        id,
        CP.api("users.info", { query: { userId: id }, own: [400, 403] }).then((r) =>
          r.ok && r.data.user ? r.data.user.username : id,
        ),
      );
    }
    return names.get(id);
  }

  function statusCell(op) {
    const failed = op.status === "importer_import_failed" || op.status === "importer_import_cancelled";
    const badge = el(
      "span",
      { className: "badge " + (failed ? "bad" : op.status === "importer_done" ? "good" : "busy") },
      CP.stepLabel(op.status),
    );
    const cell = el("td", {}, badge);
    if (op.failureReason) {
      cell.append(el("div", { className: "small muted" }, CP.describe({ data: { error: op.failureReason } })));
    }
    if (op.failureMessage) cell.append(el("div", { className: "small" }, op.failureMessage));
    if (!op.valid && !failed && op.status !== "importer_done") {
      cell.append(el("div", { className: "small muted" }, "replaced by a newer import"));
    }
    return cell;
  }

  async function row(op) {
    const c = op.count || {};
    const by = await username(op.user);
    return el(
      "tr",
      {},
      el("td", {}, el("a", { href: `/admin/imports/${encodeURIComponent(op._id)}`, title: "Details and errors" }, op.type)),
      el("td", { className: "wrap" }, CP.fileName(op)),
      statusCell(op),
      el("td", { className: "num" }, c.users === undefined ? "" : CP.number(c.users)),
      el("td", { className: "num" }, c.channels === undefined ? "" : CP.number(c.channels)),
      el("td", { className: "num" }, c.messages === undefined ? "" : CP.number(c.messages)),
      el("td", { className: "num" }, `${CP.number(c.completed)} / ${CP.number(c.error)} / ${CP.number(c.total)}`),
      el("td", { className: "wrap" }, by),
      el("td", { className: "when" }, el("time", { datetime: op.ts }, CP.date(op.ts))),
      el("td", { className: "when" }, el("time", { datetime: op._updatedAt }, CP.date(op._updatedAt))),
    );
  }

  function lastCount(ops, key) {
    const op = ops.find((o) => o.importerKey === key);
    return op ? (op.count || {}).total || 0 : null;
  }

  function labelButtons(ops) {
    for (const [id, key, words] of [
      ["pending-files", "pending-files", "Download pending files"],
      ["pending-avatars", "pending-avatars", "Download pending avatars"],
    ]) {
      const last = lastCount(ops, key);
      document.getElementById(id).textContent = last === null ? words : `${words} (last run: ${last})`;
    }
  }

  async function showCurrent() {
    const box = document.getElementById("current");
    const { operation: op } = await CP.call("getCurrentImportOperation");
    if (!op || !op.valid || CP.FINAL.includes(op.status)) {
      box.replaceChildren();
      box.dataset.shown = "";
      box.hidden = true;
      return false;
    }
    // Rebuilt only when the step changes: a cancel being confirmed is not reset under the hand.
    const shown = `${op._id}:${op.status}`;
    if (box.dataset.shown === shown) {
      return !["importer_new", "importer_file_loaded", "importer_user_selection"].includes(op.status);
    }
    box.dataset.shown = shown;
    box.replaceChildren();
    const preparing = CP.WAITING.includes(op.status) || CP.isPreparing(op.status) ||
      op.status === "importer_user_selection";
    box.append(
      el("h2", {}, "Current import"),
      el("p", {}, `${op.type}: ${CP.stepLabel(op.status)}`),
      el("div", { className: "actions" },
        el(
          "a",
          { className: "button", href: preparing ? "/admin/import/prepare" : "/admin/import/progress" },
          preparing ? "Continue preparing" : "Watch progress",
        ),
        CP.cancelButton(CP.isPending(op) ? "Cancel the downloads" : "Cancel import", () => setTimeout(load, 1000)),
      ),
    );
    box.hidden = false;
    // Resting states wait for the administrator; the others move on by themselves.
    return !["importer_new", "importer_file_loaded", "importer_user_selection"].includes(op.status);
  }

  async function load() {
    const ops = await CP.call("getLatestImportOperations");
    const table = document.getElementById("history");
    const rows = await Promise.all(ops.map(row));
    table.tBodies[0].replaceChildren(...rows);
    table.hidden = ops.length === 0;
    document.getElementById("history-empty").hidden = ops.length !== 0;
    labelButtons(ops);
    // While an operation moves on its own, the table follows it.
    clearTimeout(refresh);
    if (await showCurrent()) refresh = setTimeout(load, 2000);
  }

  async function pending(route, words, button) {
    button.disabled = true;
    notice.textContent = "";
    try {
      const { count } = await CP.call(route, { method: "POST", body: {} });
      const noun = count === 1 ? words.slice(0, -1) : words;
      notice.replaceChildren(
        count
          ? el("span", {}, `${CP.number(count)} ${noun} to download. `,
              el("a", { href: "/admin/import/progress" }, "Watch progress"))
          : `No ${words} left to download (0).`,
      );
      await load();
    } catch (err) {
      notice.textContent = CP.describe(err);
    } finally {
      button.disabled = false;
    }
  }

  const files = document.getElementById("pending-files");
  const avatars = document.getElementById("pending-avatars");
  files.addEventListener("click", () => pending("downloadPendingFiles", "files", files));
  avatars.addEventListener("click", () => pending("downloadPendingAvatars", "avatars", avatars));
  await load();
});
