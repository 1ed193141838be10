/* Message text as a Rocket.Chat reader sees it: its markdown (bold, italic, strike, code,
 * code blocks, quotes, links), emoji short-codes, @mentions and #channels. Builds DOM nodes
 * only, never HTML from text: imported content cannot become markup or script. */
"use strict";

window.CPRender = (() => {
  const { el } = CP;

  /* Short-codes of the emoji most messages carry; others stay as their :code:. */
  const EMOJI = {
    "+1": "👍", thumbsup: "👍", "-1": "👎", thumbsdown: "👎", smile: "😄", smiley: "😃",
    grinning: "😀", laughing: "😆", joy: "😂", wink: "😉", blush: "😊", slightly_smiling_face: "🙂",
    heart: "❤️", tada: "🎉", fire: "🔥", rocket: "🚀", eyes: "👀", thinking_face: "🤔",
    white_check_mark: "✅", heavy_check_mark: "✔️", x: "❌", warning: "⚠️", clap: "👏",
    pray: "🙏", ok_hand: "👌", wave: "👋", raised_hands: "🙌", muscle: "💪", sob: "😭", cry: "😢",
    sweat_smile: "😅", sunglasses: "😎", party_popper: "🎉", star: "⭐", sparkles: "✨",
    100: "💯", point_up: "☝️", coffee: "☕", bug: "🐛", memo: "📝", bulb: "💡", zap: "⚡",
    heart_eyes: "😍", slightly_frowning_face: "🙁", neutral_face: "😐", rofl: "🤣",
  };

  function emoji(code) {
    return EMOJI[code.replace(/^:|:$/g, "")] || null;
  }

  function safeHref(url) {
    return /^(https?:\/\/|mailto:|\/(?!\/))/i.test(url) ? url : null;
  }

  // One pass over a line: the first construct that starts earliest wins.
  const INLINE = new RegExp(
    [
      "`([^`\\n]+)`", // 1 code
      "\\[([^\\]\\n]+)\\]\\(((?:https?:\\/\\/|mailto:)[^)\\s]+)\\)", // 2 text, 3 url
      "<((?:https?:\\/\\/|mailto:)[^>|\\s]+)(?:\\|([^>]+))?>", // 4 url, 5 label
      "((?:https?:\\/\\/)[^\\s<>]+[^\\s<>.,;:!?)\\]'\"])", // 6 bare url
      "(?<![\\w*])\\*([^*\\n]+)\\*(?![\\w*])", // 7 bold
      "(?<![\\w_])_([^_\\n]+)_(?![\\w_])", // 8 italic
      "(?<![\\w~])~([^~\\n]+)~(?![\\w~])", // 9 strike
      ":([a-z0-9_+-]+):", // 10 emoji
      "(?<![\\w@])@([\\w.-]+)", // 11 mention
      "(?<![\\w#&])#([\\w.-]+)", // 12 channel
    ].join("|"),
    "g",
  );

  function inline(text, ctx) {
    const out = [];
    let last = 0;
    // matchAll works on its own copy of the pattern: the recursion below for bold, italic
    // and strike cannot disturb this loop's position.
    for (const m of text.matchAll(INLINE)) {
      if (m.index > last) out.push(text.slice(last, m.index));
      last = m.index + m[0].length;
      if (m[1] !== undefined) out.push(el("code", {}, m[1]));
      else if (m[2] !== undefined) out.push(link(m[3], m[2]));
      else if (m[4] !== undefined) out.push(link(m[4], m[5] || m[4]));
      else if (m[6] !== undefined) out.push(link(m[6], m[6]));
      else if (m[7] !== undefined) out.push(el("strong", {}, ...inline(m[7], ctx)));
      else if (m[8] !== undefined) out.push(el("em", {}, ...inline(m[8], ctx)));
      else if (m[9] !== undefined) out.push(el("del", {}, ...inline(m[9], ctx)));
      else if (m[10] !== undefined) {
        const shown = emoji(m[10]);
        out.push(shown ? el("span", { className: "emoji", title: `:${m[10]}:`, role: "img", "aria-label": m[10] }, shown) : m[0]);
      } else if (m[11] !== undefined) out.push(mention(m[11], ctx));
      else if (m[12] !== undefined) out.push(channel(m[12], ctx));
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  function link(url, label) {
    const href = safeHref(url);
    return href ? el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank" }, label) : label;
  }

  function mention(name, ctx) {
    const known = (ctx.mentions || []).some((u) => u.username === name) || name === "all" || name === "here";
    if (!known) return `@${name}`;
    const me = name === "all" || name === "here";
    return el("span", { className: `mention${me ? " group" : ""}`, title: me ? "everyone in the room" : `@${name}` }, `@${name}`);
  }

  function channel(name, ctx) {
    const found = (ctx.channels || []).find((c) => c.name === name);
    if (!found) return `#${name}`;
    return el("a", { className: "channel-ref", href: `/admin/rooms/${encodeURIComponent(found._id)}` }, `#${name}`);
  }

  /* A whole message text: ``` blocks, > quotes, lines. */
  function text(msg, ctx = {}) {
    const box = el("div", { className: "text md" });
    const parts = String(msg).split(/```/);
    parts.forEach((part, i) => {
      if (i % 2 === 1 && i < parts.length - 1) {
        box.append(el("pre", {}, el("code", {}, part.replace(/^\n/, "").replace(/\n$/, ""))));
        return;
      }
      const chunk = i % 2 === 1 ? "```" + part : part; // an unclosed fence is text
      let quote = null;
      chunk.split("\n").forEach((line, n, lines) => {
        if (/^(>|&gt;) ?/.test(line)) {
          if (!quote) {
            quote = el("blockquote", {});
            box.append(quote);
          } else quote.append(el("br"));
          quote.append(...inline(line.replace(/^(>|&gt;) ?/, ""), ctx));
          return;
        }
        quote = null;
        box.append(...inline(line, ctx));
        if (n < lines.length - 1) box.append(el("br"));
      });
    });
    return box;
  }

  function reaction(key) {
    return emoji(key) || key;
  }

  return { text, emoji, reaction };
})();
