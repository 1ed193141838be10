/* Progress: poll getCurrentImportOperation every second; a bar per phase; at the end a
 * summary with the per-record errors (import.errors), downloadable as CSV. */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const ORDER = [
    "importer_importing_started",
    "importer_importing_users",
    "importer_importing_contacts",
    "importer_importing_channels",
    "importer_importing_messages",
    "importer_importing_files",
    "importer_finishing",
    "importer_done",
  ];
  const RECORD_PHASES = [
    ["users", "importer_importing_users", "Users"],
    ["contacts", "importer_importing_contacts", "Contacts"],
    ["channels", "importer_importing_channels", "Channels"],
    ["messages", "importer_importing_messages", "Messages"],
  ];
  const { isPending, processed } = CP;

  /* The phases of this operation, each with its size and how far it got. Records are
   * converted kind after kind in this order, each counted once (rest-api §3.5). */
  function phases(op) {
    const c = op.count || {};
    const at = ORDER.indexOf(op.status);
    const finished = op.status === "importer_done";
    const state = (step) => {
      const i = ORDER.indexOf(step);
      if (finished || (at >= 0 && i < at)) return "done";
      if (i === at) return "running";
      return CP.FINAL.includes(op.status) ? "stopped" : "waiting";
    };
    if (isPending(op)) {
      const words = op.importerKey === "pending-files" ? "Files" : "Avatars";
      return [{ label: words, size: c.total || 0, value: processed(c), state: state("importer_importing_files") }];
    }
    const out = [];
    let before = 0;
    for (const [key, step, label] of RECORD_PHASES) {
      if (c[key] === undefined) continue;
      const size = c[key];
      const value = Math.min(size, Math.max(0, processed(c) - before));
      out.push({ label, size, value: state(step) === "done" ? size : value, state: state(step) });
      before += size;
    }
    out.push({ label: "Finishing", size: 1, value: state("importer_finishing") === "done" ? 1 : 0, state: state("importer_finishing"), noCount: true });
    return out;
  }

  function renderPhases(op) {
    const list = document.getElementById("phases");
    const STATE_WORDS = { done: "done", running: "in progress", waiting: "waiting", stopped: "not reached" };
    list.replaceChildren(
      ...phases(op).map((p, i) =>
        el(
          "li",
          { className: `phase ${p.state}` },
          el("label", { for: `phase-${i}` }, p.label, " ", el("span", { className: "badge" }, STATE_WORDS[p.state])),
          el("progress", { id: `phase-${i}`, max: Math.max(1, p.size), value: p.value }),
          p.noCount ? "" : el("span", { className: "counts" }, `${CP.number(p.value)} of ${CP.number(p.size)}`),
        ),
      ),
    );
  }

  function renderOverall(op) {
    const c = op.count || {};
    document.getElementById("progress-type").textContent = op.type;
    const stepBadge = document.getElementById("progress-step");
    stepBadge.textContent = CP.stepLabel(op.status);
    stepBadge.className = "badge " + (op.status === "importer_done" ? "good" : CP.FINAL.includes(op.status) ? "bad" : "busy");
    const bar = document.getElementById("overall-bar");
    bar.max = Math.max(1, c.total || 0);
    bar.value = op.status === "importer_done" ? bar.max : processed(c);
    document.getElementById("overall-text").textContent =
      `Completed ${CP.number(c.completed)} · Errors ${CP.number(c.error)} · ` +
      `Skipped ${CP.number(c.skipped)} · Total ${CP.number(c.total)}`;
    document.getElementById("archive-counts").textContent =
      isPending(op) ? "" : `In the archive: ${CP.archiveCounts(c)}.`;
    const elapsed = CP.elapsedMs(op);
    document.getElementById("elapsed").textContent =
      elapsed === null ? "" : `Elapsed: ${CP.duration(elapsed)}.`;
    const seconds = (elapsed || 0) / 1000;
    document.getElementById("rate").textContent =
      seconds >= 1 ? `Rate: ${CP.number(Math.round(processed(c) / seconds))} records/s.` : "";
    const cancel = document.getElementById("progress-cancel");
    if (CP.isRunning(op) && !cancel.childElementCount) {
      cancel.append(CP.cancelButton(isPending(op) ? "Cancel the downloads" : "Cancel import"));
    }
    cancel.hidden = !CP.isRunning(op);
  }

  /* The tab watches one operation: a newer one (from another tab, the CLI or a script)
   * replaces it, and says so, instead of this tab silently following the new one. */
  async function replacedBy(watched, current) {
    const latest = await CP.call("getLatestImportOperations");
    const mine = latest.find((o) => o._id === watched) || null;
    const box = document.getElementById("replaced");
    box.replaceChildren(
      el("strong", {}, "This import was cancelled by a newer import. "),
      `The newer one: ${current.type}, ${CP.stepLabel(current.status).toLowerCase()}. `,
      el("a", { href: "/admin/import/progress" }, "Watch the newer import"),
      " · ",
      el("a", { href: `/admin/imports/${encodeURIComponent(watched)}` }, "This import's details"),
    );
    box.hidden = false;
    document.getElementById("progress-cancel").hidden = true;
    if (mine) {
      renderOverall(mine);
      renderPhases(mine);
    }
  }

  async function summary(op) {
    const c = op.count || {};
    const box = document.getElementById("summary");
    const done = op.status === "importer_done";
    document.getElementById("summary-title").textContent = done ? "Import finished" : "Import stopped";
    document.getElementById("details-link").href = `/admin/imports/${encodeURIComponent(op._id)}`;
    document.getElementById("summary-text").textContent = done
      ? `${CP.number(c.completed)} records imported, ${CP.number(c.skipped)} skipped, ${CP.number(c.error)} failed.`
      : `The import ended with status “${CP.stepLabel(op.status)}”.`;
    if (op.failureReason) {
      const failure = document.getElementById("summary-failure");
      failure.textContent = CP.describe({ data: { error: op.failureReason } }) +
        (op.failureMessage ? ` ${op.failureMessage}` : "");
      failure.hidden = false;
    }
    const table = document.getElementById("summary-counts");
    const rows = [["Total records", c.total], ["Completed", c.completed], ["Skipped", c.skipped], ["Errors", c.error]];
    for (const key of ["users", "contacts", "channels", "messages"]) {
      if (c[key] !== undefined) rows.push([`${key[0].toUpperCase()}${key.slice(1)} in the archive`, c[key]]);
    }
    table.tBodies[0].replaceChildren(
      ...rows.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", { className: "num" }, CP.number(v)))),
    );
    await CPErrors.show(op._id);
    box.hidden = false;
    document.getElementById("summary-title").focus();
  }

  let watched = null;
  for (;;) {
    const { operation: op } = await CP.call("getCurrentImportOperation");
    if (!op) {
      CP.showAlert(document.querySelector("main"), "There is no import to watch.");
      return;
    }
    if (watched && op._id !== watched) {
      await replacedBy(watched, op);
      return;
    }
    watched = op._id;
    const beforeImport = CP.WAITING.includes(op.status) || CP.isPreparing(op.status) ||
      op.status === "importer_user_selection";
    if (beforeImport && !isPending(op)) {
      location.assign("/admin/import/prepare");
      return;
    }
    renderOverall(op);
    renderPhases(op);
    if (CP.FINAL.includes(op.status)) {
      await summary(op);
      return;
    }
    await CP.sleep(1000);
  }
});
