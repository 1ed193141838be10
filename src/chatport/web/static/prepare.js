/* Prepare: wait for the download and the reading of the archive (getImportProgress,
 * getImportFileData), then choose users and channels and call startImport. */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const stateBox = document.getElementById("prepare-state");
  const stateText = document.getElementById("prepare-state-text");
  const errorBox = document.getElementById("prepare-error");
  const form = document.getElementById("selection");

  function waitingText(step) {
    if (CP.WAITING.includes(step)) return "Downloading the file…";
    if (step === "importer_file_loaded") return "File loaded; reading the archive…";
    if (CP.isPreparing(step)) return `Reading the archive: ${CP.stepLabel(step).toLowerCase()}…`;
    return `${CP.stepLabel(step)}…`;
  }

  async function failure() {
    const { operation } = await CP.call("getCurrentImportOperation");
    const reason = (operation && operation.failureReason) || "";
    errorBox.replaceChildren(
      el("p", {}, el("strong", {}, "This import cannot continue. "),
        reason ? CP.describe({ data: { error: reason } }) : "The import failed."),
      operation && operation.failureMessage ? el("p", {}, operation.failureMessage) : "",
      reason ? el("p", { className: "small muted" }, "Reason code: ", el("code", {}, reason)) : "",
      el("p", {}, el("a", { href: "/admin/import/new" }, "Start a new import")),
    );
    errorBox.hidden = false;
    stateBox.hidden = true;
  }

  /* Poll until the selection is ready (the admin client polls every second too). */
  async function waitForSelection() {
    for (;;) {
      const progress = await CP.api("getImportProgress", { own: [400] });
      if (!progress.ok) {
        stateBox.hidden = true;
        errorBox.replaceChildren(el("p", {}, "There is no import to prepare. ",
          el("a", { href: "/admin/import/new" }, "Start a new import")));
        errorBox.hidden = false;
        return null;
      }
      const step = progress.data.step;
      if (step === "importer_import_failed" || step === "importer_import_cancelled") {
        await failure();
        return null;
      }
      if (CP.isImporting(step) || step === "importer_done") {
        location.assign("/admin/import/progress");
        return null;
      }
      stateText.textContent = waitingText(step);
      if (!CP.WAITING.includes(step)) {
        const data = await CP.api("getImportFileData", { own: [400] });
        if (!data.ok) {
          await failure();
          return null;
        }
        if (!data.data.waiting) return data.data;
      }
      await CP.sleep(1000);
    }
  }

  const selection = await waitForSelection();
  if (!selection) return;
  stateBox.hidden = true;

  function markers(item, kind) {
    const out = [];
    if (kind === "users") {
      if (item.is_deleted) out.push(["deleted", "bad"]);
      if (item.is_bot) out.push(["bot", ""]);
      if (item.is_email_taken) out.push(["email in use", "bad"]);
      if (item.existing_user) out.push([`merges into @${item.existing_user}`, ""]);
    } else {
      if (item.is_direct) out.push(["all direct messages", ""]);
      else if (item.is_private) out.push(["private", ""]);
      if (item.is_archived) out.push(["archived", ""]);
      if (item.imported_as) out.push([`imported as #${item.imported_as}`, "bad", item.name_conflict]);
    }
    return out.map(([text, tone, title]) =>
      el("span", { className: `badge ${tone}`, title: title || "" }, text, title ? el("span", { className: "muted small" }, ` (${title})`) : ""),
    );
  }

  function list(kind, items) {
    const ul = document.getElementById(`${kind}-list`);
    const idKey = kind === "users" ? "user_id" : "channel_id";
    ul.replaceChildren(
      ...items.map((item, i) => {
        const id = `${kind}-${i}`;
        const label = kind === "users" ? item.username || item.user_id : item.name;
        const extra = kind === "users" && item.email ? item.email : "";
        return el(
          "li",
          { dataset: { search: `${label} ${extra}`.toLowerCase() } },
          el("input", { type: "checkbox", id, value: item[idKey], checked: item.do_import !== false }),
          el("label", { for: id }, label, extra ? el("span", { className: "muted small" }, ` ${extra}`) : "", ...markers(item, kind)),
        );
      }),
    );
    const section = ul.closest("section");
    const search = section.querySelector('input[type="search"]');
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      for (const li of ul.children) li.hidden = q !== "" && !li.dataset.search.includes(q);
      counts();
    });
    // Select all / none act on the rows the search shows.
    section.querySelectorAll("[data-select]").forEach((button) =>
      button.addEventListener("click", () => {
        for (const li of ul.children) {
          if (!li.hidden) li.querySelector("input").checked = button.dataset.select === "all";
        }
        counts();
      }),
    );
    ul.addEventListener("change", counts);
  }

  function boxes(kind) {
    return [...document.querySelectorAll(`#${kind}-list input[type="checkbox"]`)];
  }

  function counts() {
    for (const kind of ["users", "channels"]) {
      const all = boxes(kind);
      const chosen = all.filter((b) => b.checked).length;
      document.getElementById(`${kind}-count`).textContent = `(${chosen} of ${all.length} selected)`;
    }
  }

  function choice(kind) {
    const all = boxes(kind);
    const chosen = all.filter((b) => b.checked).map((b) => b.value);
    return chosen.length === all.length ? { all: true } : { all: false, list: chosen };
  }

  list("users", selection.users || []);
  list("channels", selection.channels || []);
  counts();
  // The archive's counts, as every page and the CLI define them (CP.archiveCounts).
  const { operation: current } = await CP.call("getCurrentImportOperation");
  document.getElementById("selection-summary").textContent =
    `${selection.name}: ${CP.archiveCounts((current && current.count) || {})} in the archive.`;
  form.hidden = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const start = document.getElementById("start-import");
    start.disabled = true;
    const input = { users: choice("users"), channels: choice("channels") };
    const result = await CP.api("startImport", { method: "POST", body: { input }, own: [400] });
    if (!result.ok) {
      errorBox.replaceChildren(CP.describe({ data: result.data }));
      errorBox.hidden = false;
      start.disabled = false;
      return;
    }
    location.assign("/admin/import/progress");
  });
});
