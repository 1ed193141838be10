/* New import: importers.list, then downloadPublicImportFile (URL) or uploadImportFile. */
"use strict";

CP.start(async () => {
  const form = document.getElementById("new-import-form");
  const select = document.getElementById("importer");
  const error = document.getElementById("new-error");
  const submit = document.getElementById("new-submit");
  const urlField = document.getElementById("url-field");
  const uploadField = document.getElementById("upload-field");

  const importers = await CP.call("importers.list");
  // Nothing is preselected: a Slack zip imported as the first entry (CSV) used to end "Done"
  // with hundreds of failed rows. Preparation also names the right importer for a wrong one.
  const placeholder = CP.el("option", { value: "", disabled: true, selected: true }, "Choose the export's format");
  select.replaceChildren(placeholder, ...importers.map((i) => CP.el("option", { value: i.key }, i.name)));
  const wanted = new URLSearchParams(location.search).get("importer");
  if (wanted && importers.some((i) => i.key === wanted)) select.value = wanted;

  let running = null; // the import in progress, if any (filled in below)

  function source() {
    return form.querySelector('input[name="source"]:checked').value;
  }
  function showSource() {
    urlField.hidden = source() !== "url";
    uploadField.hidden = source() !== "upload";
  }
  form.querySelectorAll('input[name="source"]').forEach((r) => r.addEventListener("change", showSource));
  showSource();

  function fail(...nodes) {
    error.replaceChildren(...nodes);
    error.hidden = false;
    submit.disabled = false;
  }

  function readBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(";base64,")[1] || "");
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const importerKey = select.value;
    if (!importerKey) {
      fail("Choose the export's format.");
      select.focus();
      return;
    }
    if (running && !document.getElementById("replace-running").checked) {
      fail("An import is in progress. Tick “Cancel it and start this one” to replace it, or wait for it to end.");
      document.getElementById("replace-running").focus();
      return;
    }
    let route;
    let body;
    if (source() === "url") {
      const fileUrl = form.fileUrl.value.trim();
      if (!fileUrl) {
        fail("Enter the URL of the file to import.");
        form.fileUrl.focus();
        return;
      }
      route = "downloadPublicImportFile";
      body = { fileUrl, importerKey };
    } else {
      const file = document.getElementById("file-input").files[0];
      if (!file) {
        fail("Choose a file to upload.");
        document.getElementById("file-input").focus();
        return;
      }
      route = "uploadImportFile";
      body = {
        binaryContent: await readBase64(file),
        contentType: file.type || "application/octet-stream",
        fileName: file.name,
        importerKey,
      };
    }
    submit.disabled = true;
    submit.textContent = source() === "url" ? "Contacting the server…" : "Uploading…";
    const result = await CP.api(route, { method: "POST", body, own: [400, 413] });
    submit.textContent = "Import";
    if (result.ok) {
      location.assign("/admin/import/prepare");
      return;
    }
    const code = result.data.errorType || result.data.error || "";
    // The operation says why in words (failureMessage: "HTTP 404 from …", "could not resolve
    // host …"); the code's general explanation follows only when it has none.
    const { operation } = await CP.call("getCurrentImportOperation");
    const why = operation && operation.failureReason === code ? operation.failureMessage : "";
    const words = CP.describe({ data: result.data });
    fail(
      ...(why ? [CP.el("p", {}, CP.el("strong", {}, why))] : []),
      ...(!why || why.includes("SSRF_Allowlist") ? [CP.el("p", {}, words)] : []),
      ...(words !== code && code ? [CP.el("p", { className: "small muted" }, "Error code: ", CP.el("code", {}, code))] : []),
    );
  });
  /* An import in progress is replaced only when the administrator says so: a new operation
   * cancels the current one (as in Rocket.Chat's API). */
  const status = await CP.call("import.status");
  running = ["new", "loading", "ready", "importing"].includes(status.state) ? status.operation : null;
  if (running) {
    const c = running.count || {};
    const done = CP.processed(c);
    const box = document.getElementById("running-warning");
    box.replaceChildren(
      CP.el("p", {}, CP.el("strong", {}, "An import is in progress: "),
        `${running.type}, ${CP.stepLabel(running.status).toLowerCase()}` +
        (c.total ? `, ${CP.number(done)} of ${CP.number(c.total)} records.` : ".") +
        " Starting a new import cancels it. ",
        CP.el("a", { href: status.state === "importing" ? "/admin/import/progress" : "/admin/import/prepare" }, "Go to it")),
      CP.el("label", { className: "inline" },
        CP.el("input", { type: "checkbox", id: "replace-running" }), "Cancel it and start this one"),
    );
    box.hidden = false;
  }
});
