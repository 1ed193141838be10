/* The per-record errors of one import (import.errors?operationId=…): the first 100 in a
 * table, all of them as CSV. Shared by the progress page and each import's detail page. */
"use strict";

window.CPErrors = (() => {
  const { el } = CP;

  function where(item) {
    const source = item.source;
    if (!source) return "";
    if (source.url) return source.name ? `${source.name} (${source.url})` : source.url;
    let text = source.entry || "";
    if (source.index !== undefined) text += ` [${source.index}]`;
    if (source.row !== undefined) text += ` row ${source.row}`;
    return text;
  }

  function codes(item) {
    return [...(item.errors || []), ...(item.warnings || [])]
      .map((e) => (e.details ? `${e.message} ${JSON.stringify(e.details)}` : e.message))
      .join("; ");
  }

  async function all(operationId) {
    const items = [];
    for (let offset = 0; ; offset += 100) {
      const page = await CP.call("import.errors", { query: { count: 100, offset, operationId } });
      items.push(...page.errors);
      if (page.errors.length === 0 || items.length >= page.total) return items;
    }
  }

  function csvCell(value) {
    let text = value === undefined || value === null ? "" : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text; // never a spreadsheet formula
    return '"' + text.replace(/"/g, '""') + '"';
  }

  async function downloadCsv(operationId) {
    const rows = [["kind", "import_id", "entry", "index", "row", "error", "details"]];
    for (const item of await all(operationId)) {
      const s = item.source || {};
      for (const e of item.errors || []) {
        rows.push([item.dataType, item.importId, s.entry || s.url, s.index, s.row, e.message, e.details ? JSON.stringify(e.details) : ""]);
      }
    }
    const text = rows.map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const link = el("a", { href: url, download: `import-errors-${operationId}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /* Fill the page's #errors-* elements with the errors of ``operationId``. */
  async function show(operationId) {
    const page = await CP.call("import.errors", { query: { count: 100, operationId } });
    if (page.total === 0) {
      document.getElementById("errors-none").hidden = false;
      return page;
    }
    document.getElementById("errors-shown").textContent =
      page.total > page.errors.length
        ? `The first ${page.errors.length} of ${CP.number(page.total)} records with errors:`
        : `${CP.number(page.total)} ${page.total === 1 ? "record" : "records"} with errors:`;
    document.getElementById("errors").tBodies[0].replaceChildren(
      ...page.errors.map((item) =>
        el("tr", {}, el("td", {}, item.dataType), el("td", { className: "wrap" }, item.importId || ""),
          el("td", { className: "wrap" }, where(item)), el("td", { className: "wrap" }, codes(item))),
      ),
    );
    document.getElementById("errors-csv").addEventListener("click", () => downloadCsv(operationId));
    document.getElementById("errors-block").hidden = false;
    return page;
  }

  return { show, where, codes };
})();
