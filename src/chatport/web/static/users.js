/* Users: users.list with avatars (/avatar/<username>, initials when there is none). */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const PAGE = 50;
  const prev = document.getElementById("users-prev");
  const next = document.getElementById("users-next");
  let offset = 0;

  function email(user) {
    return (user.emails || []).map((e) => e.address).join(", ");
  }

  const notice = document.getElementById("users-notice");

  /* Imported users have only a random secret: an administrator gives them a password
   * (users.update, as in Rocket.Chat's admin). */
  function passwordCell(user) {
    const cell = el("div", { className: "set-password" });
    const open = el("button", { type: "button", className: "secondary small" }, "Set password");
    open.addEventListener("click", () => {
      const id = `pw-${user._id}`;
      const input = el("input", { type: "password", id, autocomplete: "new-password", required: true, minlength: 1 });
      const save = el("button", { type: "submit", className: "small" }, "Save");
      const form = el("form", {},
        el("label", { for: id, className: "visually-hidden" }, `New password for ${user.username}`),
        input, save);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        save.disabled = true;
        const result = await CP.api("users.update", {
          method: "POST",
          body: { userId: user._id, data: { password: input.value } },
          own: [400],
        });
        save.disabled = false;
        notice.hidden = false;
        if (result.ok) {
          notice.textContent = `Password set for ${user.username}: they can sign in with it now.`;
          cell.replaceChildren(open);
        } else {
          notice.textContent = `Could not set the password: ${result.data.error || "request failed"}`;
        }
      });
      cell.replaceChildren(form);
      input.focus();
    });
    cell.append(open);
    return cell;
  }

  async function load() {
    const page = await CP.call("users.list", { query: { count: PAGE, offset } });
    document.querySelector("#users tbody").replaceChildren(
      ...page.users.map((user) =>
        el(
          "tr",
          {},
          el("td", {}, CP.avatar(user.username, user.name)),
          el("td", {}, user.name || ""),
          el("td", {}, user.username || "",
            (user.importIds || []).length ? el("span", { className: "badge" }, "imported") : ""),
          el("td", { className: "wrap" }, email(user)),
          el("td", {}, user.type === "bot" ? el("span", { className: "badge" }, "bot") : "user"),
          el("td", {}, (user.roles || []).join(", ")),
          el("td", {}, user.active === false ? el("span", { className: "badge bad" }, "deactivated") : "active"),
          el("td", {}, user.type === "bot" ? "" : passwordCell(user)),
        ),
      ),
    );
    const last = Math.min(page.total, offset + page.users.length);
    document.getElementById("users-summary").textContent = page.total
      ? `Users ${offset + 1}–${last} of ${CP.number(page.total)}`
      : "No users.";
    prev.disabled = offset === 0;
    next.disabled = last >= page.total;
  }

  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  next.addEventListener("click", () => { offset += PAGE; load(); });
  await load();
});
