/* Rooms: rooms.adminRooms, searchable and paged. */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const PAGE = 50;
  const TYPES = { c: "Public channel", p: "Private group", d: "Direct message", l: "Omnichannel" };
  const search = document.getElementById("rooms-search");
  const prev = document.getElementById("rooms-prev");
  const next = document.getElementById("rooms-next");
  let offset = 0;
  let timer = null;

  function roomName(room) {
    if (room.t === "d") return (room.usernames || []).join(", ") || "Direct message";
    return room.fname || room.name || room._id;
  }

  async function load() {
    const query = { count: PAGE, offset, sort: JSON.stringify({ name: 1 }) };
    if (search.value.trim()) query.filter = search.value.trim();
    const page = await CP.call("rooms.adminRooms", { query });
    const body = document.querySelector("#rooms tbody");
    body.replaceChildren(
      ...page.rooms.map((room) =>
        el(
          "tr",
          {},
          el("td", {}, el("a", { href: `/admin/rooms/${encodeURIComponent(room._id)}` }, roomName(room)),
            room.archived ? el("span", { className: "badge" }, "archived") : "",
            room.default ? el("span", { className: "badge" }, "default") : ""),
          el("td", {}, TYPES[room.t] || room.t),
          el("td", { className: "num" }, CP.number(room.usersCount)),
          el("td", { className: "num" }, CP.number(room.msgs)),
          el("td", {}, el("time", { datetime: room.ts }, CP.date(room.ts))),
        ),
      ),
    );
    const last = Math.min(page.total, offset + page.rooms.length);
    document.getElementById("rooms-summary").textContent = page.total
      ? `Rooms ${offset + 1}–${last} of ${CP.number(page.total)}`
      : "No rooms.";
    prev.disabled = offset === 0;
    next.disabled = last >= page.total;
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { offset = 0; load(); }, 250);
  });
  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); load(); });
  next.addEventListener("click", () => { offset += PAGE; load(); });
  await load();
});
