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
    const words = CP.describe({ data: result.data });
    fail(
      CP.el("p", {}, words),
      ...(words !== code && code ? [CP.el("p", { className: "small muted" }, "Error code: ", CP.el("code", {}, code))] : []),
    );
  });
});
