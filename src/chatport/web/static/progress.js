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
  const isPending = (op) => op.importerKey === "pending-files" || op.importerKey === "pending-avatars";
  const processed = (c) => (c.completed || 0) + (c.error || 0) + (c.skipped || 0);

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

  function startedAt(op) {
    const created = Date.parse(op.ts);
    const clicked = Number(sessionStorage.getItem("chatport.importStartedAt") || 0);
    return clicked > created ? clicked : created;
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
    const end = CP.FINAL.includes(op.status) ? Date.parse(op._updatedAt) : Date.now();
    const elapsed = Math.max(0, end - startedAt(op));
    document.getElementById("elapsed").textContent = `Elapsed: ${CP.duration(elapsed)}.`;
    const seconds = elapsed / 1000;
    document.getElementById("rate").textContent =
      seconds >= 1 ? `Rate: ${CP.number(Math.round(processed(c) / seconds))} records/s.` : "";
  }

  function where(source) {
    if (!source) return "";
    let text = source.entry || "";
    if (source.index !== undefined) text += ` [${source.index}]`;
    if (source.row !== undefined) text += ` row ${source.row}`;
    return text;
  }

  function codes(item) {
    return (item.errors || [])
      .map((e) => (e.details ? `${e.message} ${JSON.stringify(e.details)}` : e.message))
      .join("; ");
  }

  async function allErrors() {
    const items = [];
    for (let offset = 0; ; offset += 100) {
      const page = await CP.call("import.errors", { query: { count: 100, offset } });
      items.push(...page.errors);
      if (page.errors.length === 0 || items.length >= page.total) return items;
    }
  }

  function csvCell(value) {
    let text = value === undefined || value === null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text; // never a spreadsheet formula
    return '"' + text.replace(/"/g, '""') + '"';
  }

  async function downloadCsv(opId) {
    const rows = [["kind", "import_id", "entry", "index", "row", "error", "details"]];
    for (const item of await allErrors()) {
      const s = item.source || {};
      for (const e of item.errors || []) {
        rows.push([item.dataType, item.importId, s.entry, s.index, s.row, e.message, e.details ? JSON.stringify(e.details) : ""]);
      }
    }
    const text = rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const link = el("a", { href: url, download: `import-errors-${opId}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function summary(op) {
    const c = op.count || {};
    const box = document.getElementById("summary");
    const done = op.status === "importer_done";
    document.getElementById("summary-title").textContent = done ? "Import finished" : "Import stopped";
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
    const page = await CP.call("import.errors", { query: { count: 100 } });
    if (page.total === 0) {
      document.getElementById("errors-none").hidden = false;
    } else {
      document.getElementById("errors-shown").textContent =
        page.total > page.errors.length
          ? `The first ${page.errors.length} of ${CP.number(page.total)} records with errors:`
          : `${CP.number(page.total)} ${page.total === 1 ? "record" : "records"} with errors:`;
      document.getElementById("errors").tBodies[0].replaceChildren(
        ...page.errors.map((item) =>
          el("tr", {}, el("td", {}, item.dataType), el("td", { className: "wrap" }, item.importId || ""),
            el("td", { className: "wrap" }, where(item.source)), el("td", { className: "wrap" }, codes(item))),
        ),
      );
      document.getElementById("errors-csv").addEventListener("click", () => downloadCsv(op._id));
      document.getElementById("errors-block").hidden = false;
    }
    box.hidden = false;
    document.getElementById("summary-title").focus();
  }

  for (;;) {
    const { operation: op } = await CP.call("getCurrentImportOperation");
    if (!op) {
      CP.showAlert(document.querySelector("main"), "There is no import to watch.");
      return;
    }
    const beforeImport = CP.WAITING.includes(op.status) || CP.isPreparing(op.status) ||
      op.status === "importer_user_selection";
    if (beforeImport && !isPending(op)) {
      location.assign("/admin/import/prepare");
      return;
    }
    renderOverall(op);
    renderPhases(op);
    if (CP.FINAL.includes(op.status)) {
      sessionStorage.removeItem("chatport.importStartedAt");
      await summary(op);
      return;
    }
    await CP.sleep(1000);
  }
});
