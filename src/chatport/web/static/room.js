/* One room: rooms.info, its messages oldest first (channels/groups/im.messages), threads
 * (chat.getThreadMessages), reactions, edits, system messages and file attachments, as a
 * reader sees them: markdown and emoji (render.js), mentions, deactivated authors marked, a
 * Slack post with files as one message. */
"use strict";

CP.start(async () => {
  const { el } = CP;
  const PAGE = 100;
  const roomId = document.body.dataset.roomId;
  const list = document.getElementById("messages");
  const more = document.getElementById("messages-more");
  const TYPES = { c: "Public channel", p: "Private group", d: "Direct message" };
  const ENDPOINTS = { c: "channels.messages", p: "groups.messages", d: "im.messages" };

  const info = await CP.api("rooms.info", { query: { roomId }, own: [400] });
  if (!info.ok) {
    const box = document.getElementById("room-error");
    box.textContent = "This room does not exist.";
    box.hidden = false;
    return;
  }
  const room = info.data.room;
  const title = room.t === "d" ? (room.usernames || []).join(", ") || "Direct message" : room.fname || room.name;
  document.title = `${title} · chatport administration`;
  document.getElementById("room-title").textContent = title;
  document.getElementById("room-crumb").textContent = title;
  document.getElementById("room-meta").textContent = [
    TYPES[room.t] || room.t,
    `${CP.number(room.usersCount)} members`,
    `${CP.number(room.msgs)} messages`,
    room.archived ? "archived" : "",
    room.topic ? `Topic: ${room.topic}` : "",
  ].filter(Boolean).join(" · ");

  /* System messages in words; the actor is the message's user. */
  const SYSTEM = {
    uj: () => "joined the channel",
    ul: () => "left the channel",
    ut: () => "joined the conversation",
    au: (m) => `added ${m.msg}`,
    ru: (m) => `removed ${m.msg}`,
    r: (m) => `changed the room name to ${m.msg}`,
    room_changed_topic: (m) => `changed the topic to: ${m.msg}`,
    room_changed_description: (m) => `changed the description to: ${m.msg}`,
    room_changed_announcement: (m) => `changed the announcement to: ${m.msg}`,
    room_changed_privacy: (m) => `changed the room type to ${m.msg}`,
    room_changed_avatar: () => "changed the room avatar",
    message_pinned: () => "pinned a message",
    rm: () => "message removed",
    "user-muted": (m) => `muted ${m.msg}`,
    "user-unmuted": (m) => `unmuted ${m.msg}`,
    "subscription-role-added": (m) => `set ${m.msg} as ${m.role || "a role"}`,
    "subscription-role-removed": (m) => `removed ${m.msg} from ${m.role || "a role"}`,
    "discussion-created": (m) => `started a discussion: ${m.msg}`,
  };

  function safeHref(url) {
    if (typeof url !== "string") return null;
    return /^(https?:\/\/|\/(?!\/))/i.test(url) ? url : null;
  }

  function author(m) {
    const u = m.u || {};
    return m.alias || u.name || u.username || "unknown";
  }

  /* Whether each author's account is active: users.info once per username. */
  const accounts = new Map();
  function account(username) {
    if (!username) return Promise.resolve(null);
    if (!accounts.has(username)) {
      accounts.set(username, CP.api("users.info", { query: { username }, own: [400, 403] })
        .then((r) => (r.ok ? r.data.user : null)));
    }
    return accounts.get(username);
  }
  function markDeactivated(head, username) {
    account(username).then((user) => {
      if (user && user.active === false) {
        head.querySelector(".author").after(" ", el("span", { className: "badge bad", title: "This account is deactivated" }, "deactivated"));
      }
    });
  }

  function attachment(a) {
    const href = safeHref(a.title_link);
    const parts = [];
    if (a.author_name) parts.push(el("div", { className: "att-author" }, a.author_name));
    if (a.title) parts.push(el("div", { className: "att-title" }, href ? el("a", { href, rel: "noopener noreferrer" }, a.title) : a.title));
    if (a.image_url && safeHref(a.image_url) && a.image_url.startsWith("/")) {
      const size = a.image_dimensions || {};
      parts.push(el("img", {
        className: "att-image", src: a.image_url, alt: a.description || a.title || "image",
        width: size.width, height: size.height,
      }));
    }
    if (a.description) parts.push(el("div", {}, a.description));
    if (a.text) parts.push(el("div", { className: "text" }, a.text));
    for (const nested of a.attachments || []) parts.push(attachment(nested));
    return el("div", { className: "attachment" }, ...parts);
  }

  function reactions(m) {
    const entries = Object.entries(m.reactions || {});
    if (!entries.length) return "";
    return el(
      "ul",
      { className: "reactions", "aria-label": "Reactions" },
      ...entries.map(([emoji, r]) => {
        const who = (r.usernames || []).join(", ");
        return el("li", { title: `${emoji} ${who}` }, `${CPRender.reaction(emoji)} ${(r.usernames || []).length}`,
          el("span", { className: "visually-hidden" }, ` by ${who}`));
      }),
    );
  }

  function thread(m) {
    if (!m.tcount) return "";
    const panelId = `thread-${m._id}`;
    const panel = el("ol", { className: "messages thread", id: panelId, hidden: true, "aria-label": "Thread replies" });
    const words = `${m.tcount} ${m.tcount === 1 ? "reply" : "replies"}`;
    const button = el("button", { type: "button", className: "secondary small thread-toggle", "aria-expanded": "false", "aria-controls": panelId }, `Show thread (${words})`);
    let loaded = false;
    button.addEventListener("click", async () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      if (open && !loaded) {
        loaded = true;
        const page = await CP.call("chat.getThreadMessages", { query: { tmid: m._id, count: PAGE, sort: JSON.stringify({ ts: 1 }) } });
        panel.replaceChildren(...page.messages.map((reply) => message(reply, true)));
      }
      panel.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? `Hide thread (${words})` : `Show thread (${words})`;
    });
    return el("div", { className: "thread-box" }, button, panel);
  }

  function message(m, inThread = false) {
    const time = el("time", { datetime: m.ts }, CP.date(m.ts));
    if (m.t && SYSTEM[m.t]) {
      return el("li", { className: "message system", id: `m-${m._id}`, dataset: { type: m.t } },
        el("span", { className: "author" }, (m.u && m.u.username) || "someone"), " ", SYSTEM[m.t](m), " ", time);
    }
    const head = el("div", { className: "head" },
      el("span", { className: "author" }, author(m)),
      m.u && m.u.username && author(m) !== m.u.username ? el("span", { className: "muted small" }, ` @${m.u.username}`) : "",
      m.bot ? el("span", { className: "badge" }, "bot") : "",
      " ", time,
      m.editedAt ? el("span", { className: "edited", title: CP.date(m.editedAt) },
        `(edited${m.editedBy && m.editedBy.username ? ` by ${m.editedBy.username}` : ""} ${CP.date(m.editedAt)})`) : "",
      m.pinned ? el("span", { className: "badge" }, "pinned") : "",
      m.t ? el("span", { className: "badge" }, m.t) : "",
      m.tmid && !inThread ? el("span", { className: "badge" }, "also sent to the channel") : "",
    );
    markDeactivated(head, m.u && m.u.username);
    const files = m.files || (m.file ? [m.file] : []);
    return el(
      "li",
      { className: "message", id: `m-${m._id}` },
      CP.avatar(m.u && m.u.username, author(m), "small"),
      el("div", { className: "body" },
        head,
        m.msg ? CPRender.text(m.msg, { mentions: m.mentions, channels: m.channels })
          : !(m.attachments || []).length && !files.length ? el("div", { className: "muted small" }, "(no text)") : "",
        ...fileParts(m),
        reactions(m),
        inThread ? "" : thread(m),
      ),
    );
  }

  function fileParts(m) {
    const files = m.files || (m.file ? [m.file] : []);
    return [
      ...(m.attachments || []).map(attachment),
      files.length && !(m.attachments || []).length
        ? el("div", { className: "attachment" }, ...files.map((f) => el("div", {}, `File: ${f.name || f._id}`)))
        : "",
    ];
  }

  /* A Slack post with files is imported as the post and one message per file
   * (<id>-file<n>, importers §1.12): shown as one message, as Slack showed it. */
  const FILE_ID = /^(.+)-file\d+$/;
  const shown = new Map(); // post id -> its rendered body
  function add(m) {
    const post = FILE_ID.exec(m._id);
    const body = post && shown.get(post[1]);
    if (body && (!m.msg || !m.msg.trim())) {
      body.querySelector(".reactions, .thread-box")
        ? body.insertBefore(el("div", { className: "file-part" }, ...fileParts(m)), body.querySelector(".reactions, .thread-box"))
        : body.append(el("div", { className: "file-part" }, ...fileParts(m)));
      return null;
    }
    const item = message(m);
    shown.set(m._id, item.querySelector(".body"));
    return item;
  }

  let offset = 0;
  async function load() {
    more.disabled = true;
    const page = await CP.call(ENDPOINTS[room.t] || "channels.messages", {
      query: { roomId, count: PAGE, offset, sort: JSON.stringify({ ts: 1 }) },
    });
    // Thread replies live under their thread, unless also sent to the channel.
    list.append(...page.messages.filter((m) => !m.tmid || m.tshow).map(add).filter(Boolean));
    offset += page.messages.length;
    more.hidden = offset >= page.total;
    more.disabled = false;
    document.getElementById("messages-empty").hidden = page.total !== 0;
  }
  more.addEventListener("click", load);
  await load();
});
