/* Sign in: POST /api/v1/login, keep the token, then check the import permission. */
"use strict";

(() => {
  const form = document.getElementById("login-form");
  const error = document.getElementById("login-error");
  const submit = document.getElementById("login-submit");

  function nextPage() {
    const next = new URLSearchParams(location.search).get("next") || "";
    // Only a path of this page, never another site.
    return /^\/admin(\/|$|\?)/.test(next) && !next.startsWith("//") ? next : "/admin";
  }

  function fail(text) {
    error.textContent = text;
    error.hidden = false;
    submit.disabled = false;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const user = form.user.value.trim();
    const password = form.password.value;
    if (!user || !password) {
      fail("Enter your username or email and your password.");
      (user ? form.password : form.user).focus();
      return;
    }
    submit.disabled = true;
    let result;
    try {
      result = await CP.api("login", { method: "POST", body: { user, password }, own: [401, 403] });
    } catch (_err) {
      fail("chatport could not be reached. Try again.");
      return;
    }
    const code = (result.data && result.data.error) || "";
    if (code.startsWith("error-login-blocked")) {
      fail(result.data.message || "Too many failed sign-in attempts: try again later.");
      return;
    }
    if (!result.ok || !result.data.data) {
      fail("Wrong username, email or password, or the account is inactive.");
      form.password.select();
      return;
    }
    CP.session.save(result.data.data.userId, result.data.data.authToken);
    // The page is for holders of run-import: ask the API, which decides.
    const check = await CP.api("importers.list", { own: [403] });
    location.assign(check.status === 403 ? "/admin/not-allowed" : nextPage());
  });
})();
