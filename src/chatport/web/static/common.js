/* Shared by every admin page: the token, REST calls, the sign-in guard, small DOM helpers.
 * The token is kept as Rocket.Chat's web client keeps it (localStorage Meteor.loginToken and
 * Meteor.userId). Data from the API is only ever inserted as text. */
"use strict";

const CP = (() => {
  const TOKEN = "Meteor.loginToken";
  const USER = "Meteor.userId";

  /* Like Rocket.Chat's client, mirror the token in the rc_uid / rc_token cookies: the browser
   * sends them for <img> and download links to /file-upload, which cannot carry headers. */
  function cookie(name, value) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    const expiry = value ? "" : "; Max-Age=0";
    document.cookie = `${name}=${encodeURIComponent(value || "")}; Path=/; SameSite=Strict${secure}${expiry}`;
  }

  const session = {
    token: () => localStorage.getItem(TOKEN),
    userId: () => localStorage.getItem(USER),
    save(userId, token) {
      localStorage.setItem(USER, userId);
      localStorage.setItem(TOKEN, token);
      session.cookies();
    },
    cookies() {
      cookie("rc_uid", session.userId());
      cookie("rc_token", session.token());
    },
    clear() {
      localStorage.removeItem(TOKEN);
      localStorage.removeItem(USER);
      cookie("rc_uid", "");
      cookie("rc_token", "");
    },
  };

  function toLogin() {
    const next = location.pathname + location.search;
    location.assign("/admin/login?next=" + encodeURIComponent(next));
  }

  /* Call /api/v1/<path>. Answers {status, data}. 401 sends the browser to sign in and 403 to
   * the not-allowed page, unless `own` lists that status (the caller handles it). */
  async function api(path, { method = "GET", query = null, body = undefined, own = [] } = {}) {
    let url = "/api/v1/" + path;
    if (query) url += "?" + new URLSearchParams(query).toString();
    const headers = {};
    if (session.token()) {
      headers["X-User-Id"] = session.userId();
      headers["X-Auth-Token"] = session.token();
    }
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (_err) {
      data = {};
    }
    if (!own.includes(response.status)) {
      if (response.status === 401) {
        session.clear();
        toLogin();
        throw new Error("signed out");
      }
      if (response.status === 403) {
        location.assign("/admin/not-allowed");
        throw new Error("not allowed");
      }
    }
    return { status: response.status, ok: response.ok, data };
  }

  /* Same, but anything but success is an error with the API's message. */
  async function call(path, options) {
    const result = await api(path, options);
    if (!result.ok) throw new ApiError(result.data);
    return result.data;
  }

  class ApiError extends Error {
    constructor(data) {
      super((data && (data.errorType || data.error)) || "request failed");
      this.data = data || {};
    }
  }

  async function signOut() {
    if (session.token()) {
      try {
        await api("logout", { method: "POST", own: [401, 403] });
      } catch (_err) {
        /* signing out locally is enough */
      }
    }
    session.clear();
    location.assign("/admin/login");
  }

  /* Guard a signed-in page: no token → sign in; then show who is signed in. */
  async function start(main) {
    const signOutButton = document.getElementById("sign-out");
    if (signOutButton) signOutButton.addEventListener("click", signOut);
    if (!session.token()) {
      toLogin();
      return;
    }
    session.cookies();
    try {
      const me = await call("me");
      // The page is for holders of run-import; the API decides (403 → the not-allowed page).
      await call("importers.list");
      const who = document.getElementById("whoami");
      if (who) who.textContent = me.username;
      await main(me);
    } catch (err) {
      if (err.message === "signed out" || err.message === "not allowed") return;
      showAlert(document.querySelector("main"), describe(err));
      console.error(err);
    }
  }

  /* el("a", {href: "/x", className: "y"}, "text", child) */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "className") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key in node && typeof value !== "string") node[key] = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function showAlert(container, text) {
    let box = container.querySelector(".alert.generated");
    if (!box) {
      box = el("div", { className: "alert generated", role: "alert" });
      container.prepend(box);
    }
    box.textContent = text;
  }

  function date(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return d.toLocaleString(undefined, {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
  }

  function duration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = s % 60;
    if (h) return `${h} h ${m} min`;
    if (m) return `${m} min ${rest} s`;
    return `${rest} s`;
  }

  const number = (n) => Number(n || 0).toLocaleString();

  /* Rocket.Chat's step names, in words. */
  const STEPS = {
    importer_new: "New",
    importer_uploading: "Uploading",
    importer_downloading_file: "Downloading the file",
    importer_file_loaded: "File loaded",
    importer_preparing_started: "Reading the archive",
    importer_preparing_users: "Reading users",
    importer_preparing_channels: "Reading channels",
    importer_preparing_messages: "Reading messages",
    importer_preparing_contacts: "Reading contacts",
    importer_user_selection: "Waiting for selection",
    importer_importing_started: "Import started",
    importer_importing_users: "Importing users",
    importer_importing_contacts: "Importing contacts",
    importer_importing_channels: "Importing channels",
    importer_importing_messages: "Importing messages",
    importer_importing_files: "Downloading files",
    importer_finishing: "Finishing",
    importer_done: "Done",
    importer_import_failed: "Failed",
    importer_import_cancelled: "Cancelled",
  };
  const stepLabel = (step) => STEPS[step] || step || "";
  const FINAL = ["importer_done", "importer_import_failed", "importer_import_cancelled"];
  const WAITING = ["importer_new", "importer_uploading", "importer_downloading_file"];
  const isPreparing = (step) => step === "importer_file_loaded" || /^importer_preparing_/.test(step);
  const isImporting = (step) => /^importer_importing_/.test(step) || step === "importer_finishing";

  /* Error codes (the API's `error`, `errorType` or an operation's failureReason) in words. */
  const REASONS = {
    "error-ssrf-validation-failed":
      "chatport refused to download from this address because it points to a private, " +
      "loopback, link-local or otherwise internal network, or its name did not resolve. " +
      "This protects the server against server-side request forgery (SSRF). If the host is " +
      "trusted, an administrator can allow it by adding it (as host, or host:port for another " +
      "port than 80 or 443) to the SSRF_Allowlist setting.",
    "error-too-many-redirects": "The address redirected more than 5 times; chatport stopped following it.",
    "redirect-response-location-header-missing": "The address answered with a redirect that names no target.",
    "error-processing-request":
      "The file could not be fetched: the server did not answer, refused the connection, " +
      "or answered with an error status.",
    "error-import-file-too-large": "The file is larger than the import size limit (setting import_max_file_bytes).",
    "error-import-file-download-failed": "The download was interrupted, truncated or timed out.",
    "error-import-file-store-failed": "chatport could not store the file.",
    "error-import-file-invalid": "The file is not a valid export for this import type.",
    "error-import-failed": "The import failed while converting records.",
    "error-import-operation-cancelled": "The import was cancelled: by an administrator, or because a newer import replaced it.",
    "error-invalid-import-file-url": "This is not an http or https URL.",
    "error-importer-not-defined": "This import type is not available.",
    "error-import-operation-invalid": "This import can no longer continue; start a new import.",
    "error-operation-not-found": "There is no import yet.",
  };

  function describe(err) {
    const data = (err && err.data) || {};
    const code = data.errorType || data.error || (err && err.message) || "";
    const words = REASONS[code];
    if (words) return words;
    return String(data.error || code || "Something went wrong.");
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /* One definition of each count, used by every page (and the CLI, cli_import.py): the
   * records in the archive as preparation counted them (each direct-message room is a
   * channel), and the records processed so far (each counted once). */
  function archiveCounts(count) {
    const c = count || {};
    const parts = [];
    for (const [key, one, many] of [["users", "user", "users"], ["channels", "channel", "channels"], ["messages", "message", "messages"]]) {
      if (c[key] !== undefined) parts.push(`${number(c[key])} ${c[key] === 1 ? one : many}`);
    }
    return parts.join(", ");
  }
  const processed = (count) => {
    const c = count || {};
    return (c.completed || 0) + (c.error || 0) + (c.skipped || 0);
  };
  /* From startImport (importStartedAt) to the end: time on the prepare page is not the
   * import's. null before the import started. */
  function elapsedMs(op) {
    if (!op || !op.importStartedAt) return null;
    const end = FINAL.includes(op.status) ? Date.parse(op._updatedAt) : Date.now();
    return Math.max(0, end - Date.parse(op.importStartedAt));
  }
  /* Upstream's history page shows the stored name's part after "<userId>_". */
  function fileName(op) {
    if (!op || !op.file) return "";
    const marker = `_${op.user}_`;
    const at = op.file.indexOf(marker);
    return at >= 0 ? op.file.slice(at + marker.length) : op.file;
  }
  const isRunning = (op) => Boolean(op && op.valid && !FINAL.includes(op.status));
  const isPending = (op) => Boolean(op) && (op.importerKey === "pending-files" || op.importerKey === "pending-avatars");

  /* A cancel button that asks once more before calling import.clear. */
  function cancelButton(label, onDone) {
    const box = el("span", { className: "cancel-box" });
    const first = el("button", { type: "button", className: "secondary danger" }, label);
    first.addEventListener("click", () => {
      const yes = el("button", { type: "button", className: "danger" }, "Yes, cancel it");
      const no = el("button", { type: "button", className: "secondary" }, "No, let it run");
      no.addEventListener("click", () => box.replaceChildren(first));
      yes.addEventListener("click", async () => {
        yes.disabled = true;
        await call("import.clear", { method: "POST", body: {} });
        box.replaceChildren(el("span", { className: "muted" }, "Cancelling: it stops at its next batch…"));
        if (onDone) onDone();
      });
      box.replaceChildren(el("span", {}, "Cancel this import? What it imported so far stays. "), yes, " ", no);
      yes.focus();
    });
    box.append(first);
    return box;
  }

  /* The avatar at /avatar/<username>, falling back to initials when there is none. */
  function avatar(username, name, size = "") {
    const initials = (name || username || "?")
      .split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join("");
    const fallback = el("span", { className: `avatar fallback ${size}`, "aria-hidden": "true" }, initials);
    if (!username) return fallback;
    const img = el("img", {
      className: `avatar ${size}`,
      src: "/avatar/" + encodeURIComponent(username),
      alt: "",
      loading: "lazy",
      width: 32,
      height: 32,
    });
    img.addEventListener("error", () => img.replaceWith(fallback));
    return img;
  }

  return {
    session, api, call, ApiError, signOut, start, el, showAlert, date, duration, number,
    stepLabel, FINAL, WAITING, isPreparing, isImporting, REASONS, describe, sleep, avatar,
    archiveCounts, processed, elapsedMs, isRunning, isPending, cancelButton, fileName,
  };
})();
