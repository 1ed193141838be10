"""HTML message bodies to Rocket.Chat markdown (importers §5.5; attack 7.14: no HTML stored)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatport.imports.convert.html_text import html_to_markdown


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<strong>a</strong> <b>b</b>", "*a* *b*"),
        ("<em>a</em> <i>b</i>", "_a_ _b_"),
        (
            '<a href="https://x.test/p?q=1&amp;r=2">the link</a>',
            "[the link](https://x.test/p?q=1&r=2)",
        ),
        ('<a href="mailto:a@x.test">mail</a>', "[mail](mailto:a@x.test)"),
        ("one<br>two<br/>three", "one\ntwo\nthree"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<div>a</div><div>b</div>c", "a\n\nb\n\nc"),
        ("a<hr>b", "a\n\nb"),
        ("use <code>x &lt; y</code>", "use `x < y`"),
        ("<pre>\nline 1\n  line 2</pre>", "```\nline 1\n  line 2\n```"),
        ("<ul><li>a</li><li>b</li></ul>", "* a\n* b"),
        ('<img src="https://x.test/i.png" alt="cat">', "[cat](https://x.test/i.png)"),
        ('<img src="https://x.test/i.png" title="t">', "[t](https://x.test/i.png)"),
        ('<img src="https://x.test/i.png">', "[https://x.test/i.png](https://x.test/i.png)"),
        ('<img alt="no source">', ""),
        ("<script>alert(1)</script>safe", "safe"),
        ("<style>p {color: red}</style>text", "text"),
        ("<span class='x'>kept</span> <font>too</font>", "kept too"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ('<img src="data:image/png;base64,AAAA" alt="x">', ""),
        ("  spaced \n  out  ", "spaced out"),
        ("plain &amp; simple", "plain & simple"),
        ('<a href="https://x.test/">unclosed', "unclosed"),
    ],
)
def test_conversion(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@given(st.text(alphabet=st.sampled_from(list("<>/ab=\"' scriptyle&;#x")), max_size=60))
def test_no_tag_survives(html: str) -> None:
    """Whatever the input, the output holds no element the parser would see as a tag."""
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.found.append(tag)

    out = html_to_markdown(html)
    # Entities were decoded, so re-parse the output as HTML would: only what came from text.
    parser = Tags()
    parser.found = []
    parser.feed(out)
    for tag in parser.found:
        assert f"<{tag}" in html_to_markdown_text_only(html)


def html_to_markdown_text_only(html: str) -> str:
    """The decoded text content of ``html``: tags in the output may only come from here."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []

        def handle_data(self, data: str) -> None:
            self.parts.append(data)

    parser = Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)
