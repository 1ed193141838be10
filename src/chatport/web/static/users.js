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
