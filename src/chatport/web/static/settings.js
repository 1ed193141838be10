/* Settings: the run-time settings (GET /api/v1/settings, POST /api/v1/settings/<id>) as a
 * form, and the deploy-time import options (GET /api/v1/import.options), read-only. */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const form = document.getElementById("settings-form");
  const fields = document.getElementById("settings-fields");
  const notice = document.getElementById("settings-notice");

  const { settings } = await CP.call("settings");
  const inputs = new Map();
  for (const s of settings) {
    const id = `setting-${s._id}`;
    let input;
    if (s.type === "boolean") {
      input = el("input", { type: "checkbox", id, checked: s.value === true });
    } else if (s._id === "SSRF_Allowlist") {
      input = el("textarea", { id, rows: 3, spellcheck: "false" }, String(s.value ?? ""));
    } else {
      input = el("input", { type: s.type === "number" ? "number" : "text", id, value: String(s.value ?? "") });
    }
    inputs.set(s._id, { input, setting: s });
    fields.append(
      el("div", { className: "setting" },
        s.type === "boolean"
          ? el("label", { className: "inline", for: id }, input, s.i18nLabel)
          : el("label", { for: id }, s.i18nLabel),
        s.type === "boolean" ? "" : input,
        el("p", { className: "hint" }, s.i18nDescription,
          " ", el("span", { className: "muted" }, `(${s._id}; default: ${JSON.stringify(s.packageValue)})`)),
      ),
    );
  }
  form.hidden = false;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const changed = [];
    const problems = [];
    for (const [settingId, { input, setting }] of inputs) {
      let value;
      if (setting.type === "boolean") value = input.checked;
      else if (setting.type === "number") {
        value = Number(input.value);
        if (input.value.trim() === "" || !Number.isFinite(value)) {
          problems.push(`${setting.i18nLabel}: a number is needed`);
          continue;
        }
      } else value = input.value;
      if (JSON.stringify(value) === JSON.stringify(setting.value)) continue;
      const result = await CP.api(`settings/${encodeURIComponent(settingId)}`, { method: "POST", body: { value }, own: [400] });
      if (result.ok) {
        setting.value = value;
        changed.push(setting.i18nLabel);
      } else problems.push(`${setting.i18nLabel}: ${result.data.error || "refused"}`);
    }
    notice.hidden = false;
    notice.className = problems.length ? "notice warning" : "notice";
    notice.textContent = problems.length
      ? `Not saved: ${problems.join("; ")}.`
      : changed.length ? `Saved: ${changed.join(", ")}.` : "Nothing changed.";
  });

  const { options } = await CP.call("import.options");
  document.querySelector("#options tbody").replaceChildren(
    ...options.map((o) =>
      el("tr", {},
        el("td", { className: "wrap" }, el("code", {}, o.env)),
        el("td", { className: "wrap" }, JSON.stringify(o.value)),
        el("td", { className: "wrap muted" }, JSON.stringify(o.default)),
        el("td", { className: "wrap" }, o.description)),
    ),
  );
});
