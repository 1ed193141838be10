"""HTML message bodies to Rocket.Chat markdown (importers.md §5.5).

HipChat stores integration notifications (and some user messages) as HTML. Rocket.Chat renders
markdown, and an import must never store markup a client could render as HTML
(security-reliability.md §1.7 item 8, attack 7.14), so every tag is either turned into its
markdown equivalent or dropped, keeping its text; ``<script>`` and ``<style>`` lose their content
too. The stdlib parser is lenient with broken markup and decodes entities, which is what
turndown (Rocket.Chat's converter) does as well.

Links and images keep their target only for ``http``, ``https`` and ``mailto`` (and relative)
URLs: a ``javascript:`` or ``data:`` target is dropped and its text kept.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BREAK = "\x00"  # a paragraph boundary, resolved once the whole text is known
_SPACE = re.compile(r"[ \t\r\n\f]+")
_BREAKS = re.compile(r"[ ]*\x00[\x00 \n]*")
_SAFE_SCHEME = re.compile(r"^(?:https?:|mailto:|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)
_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "table", "tr", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
)
_DROPPED = frozenset({"script", "style"})
_INLINE = {"strong": "*", "b": "*", "em": "_", "i": "_"}


def html_to_markdown(html: str) -> str:
    """The markdown for one HTML message body; plain text when it holds no tags."""
    parser = _Converter()
    parser.feed(html)
    parser.close()
    return parser.result()


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    return url if url and _SAFE_SCHEME.match(url) else None


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._dropping = 0  # inside <script>/<style>
        self._pre = 0
        self._links: list[tuple[int, str | None]] = []  # (output index, href) per open <a>

    # --- tags -----------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropping += 1
            return
        if self._dropping:
            return
        found = dict(attrs)
        if tag in _INLINE:
            self._out.append(_INLINE[tag])
        elif tag == "br":
            self._out.append("\n")
        elif tag in _BLOCKS or tag == "hr":
            self._out.append(_BREAK)
        elif tag == "li":
            self._out.append("\n* ")
        elif tag == "code" and not self._pre:
            self._out.append("`")
        elif tag == "pre":
            self._pre += 1
            self._out.append(_BREAK + "```\n")
        elif tag == "a":
            self._links.append((len(self._out), _safe_url(found.get("href"))))
        elif tag == "img":
            self._image(found)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            return  # <script/> opens nothing
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
            return
        if self._dropping:
            return
        if tag in _INLINE:
            self._out.append(_INLINE[tag])
        elif tag in _BLOCKS:
            self._out.append(_BREAK)
        elif tag == "code" and not self._pre:
            self._out.append("`")
        elif tag == "pre" and self._pre:
            self._pre -= 1
            self._out.append("\n```" + _BREAK)
        elif tag == "a" and self._links:
            start, href = self._links.pop()
            text = "".join(self._out[start:]).strip()
            del self._out[start:]
            if href is None:
                self._out.append(text)
            else:
                self._out.append(f"[{text or href}]({href})")

    def _image(self, attrs: dict[str, str | None]) -> None:
        src = _safe_url(attrs.get("src"))
        if src is None:
            return
        label = attrs.get("alt") or attrs.get("title") or src
        self._out.append(f"[{_SPACE.sub(' ', label).strip()}]({src})")

    # --- text -----------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        if self._pre:
            if data.startswith("\n") and self._out and self._out[-1].endswith("```\n"):
                data = data[1:]  # HTML ignores the newline right after <pre>
            self._out.append(data)
            return
        text = _SPACE.sub(" ", data)
        if not self._out or self._out[-1].endswith(("\n", _BREAK, "* ")):
            text = text.lstrip(" ")
        if text:
            self._out.append(text)

    def result(self) -> str:
        while self._links:  # an <a> never closed: keep its text
            start, _href = self._links.pop()
            self._out[start:] = ["".join(self._out[start:])]
        text = "".join(self._out)
        text = _BREAKS.sub(lambda m: "\n\n", text)
        text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
        return text.strip("\n ")
