/* One import's details: its record (getLatestImportOperations), counts, failure, and its
 * per-record errors, which stay readable after later imports (import.errors?operationId). */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const id = document.body.dataset.operationId;
  const ops = await CP.call("getLatestImportOperations");
  const op = ops.find((o) => o._id === id);
  if (!op) {
    const box = document.getElementById("import-error");
    box.textContent = "This import is not among the 20 most recent ones.";
    box.hidden = false;
    return;
  }
  const c = op.count || {};
  const title = `${op.type}: ${CP.stepLabel(op.status)}`;
  document.getElementById("import-title").textContent = title;
  document.getElementById("import-crumb").textContent = title;
  document.title = `${title} · chatport administration`;
  const elapsed = CP.elapsedMs(op);
  const facts = [
    ["Operation", op._id],
    ["File", CP.fileName(op)],
    ["Status", CP.stepLabel(op.status) + (!op.valid && !CP.FINAL.includes(op.status) ? " (replaced by a newer import)" : "")],
    ["In the archive", CP.isPending(op) ? "" : CP.archiveCounts(c)],
    ["Records", `${CP.number(c.completed)} completed, ${CP.number(c.skipped)} skipped, ${CP.number(c.error)} failed, of ${CP.number(c.total)}`],
    ["Created", CP.date(op.ts)],
    ["Import started", op.importStartedAt ? CP.date(op.importStartedAt) : "not started"],
    ["Last update", CP.date(op._updatedAt)],
    ["Elapsed", elapsed === null ? "" : CP.duration(elapsed)],
  ];
  for (const host of op.unreachableHosts || []) {
    facts.push(["Unreachable host", `${host.host}: ${host.reason}; ${CP.number(host.notTried)} items not tried`]);
  }
  document.getElementById("import-facts").tBodies[0].replaceChildren(
    ...facts.filter(([, v]) => v !== "").map(([k, v]) =>
      el("tr", {}, el("th", { scope: "row" }, k), el("td", { className: "wrap" }, v))),
  );
  if (op.failureReason) {
    const failure = document.getElementById("import-failure");
    failure.replaceChildren(
      el("strong", {}, op.failureMessage || CP.describe({ data: { error: op.failureReason } })),
      " ", el("code", {}, op.failureReason),
    );
    failure.hidden = false;
  }
  if (CP.isRunning(op)) {
    const cancel = document.getElementById("import-cancel");
    cancel.append(CP.cancelButton("Cancel import", () => setTimeout(() => location.reload(), 1500)));
    cancel.hidden = false;
  }
  document.getElementById("import-card").hidden = false;
  await CPErrors.show(op._id);
});
