/* The "not allowed" page: say who is signed in and offer another account. */
"use strict";

(async () => {
  document.getElementById("na-sign-out").addEventListener("click", CP.signOut);
  if (!CP.session.token()) return;
  const me = await CP.api("me", { own: [401, 403] });
  if (me.ok && me.data.username) {
    document.getElementById("na-message").textContent =
      `You are signed in as ${me.data.username}, which is not allowed to run imports. ` +
      "Only administrators (holders of the run-import permission) can use this page.";
  }
})();
