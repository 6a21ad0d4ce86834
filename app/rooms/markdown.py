"""A safe Markdown subset: rendered by markdown-it-py without raw HTML, then sanitised by nh3."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "s"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}

# CommonMark with raw HTML off; images and headings are left out of chat on purpose (no remote
# fetches, no shouting), and linkify is off because it needs another library.
_md = (MarkdownIt("commonmark", {"html": False, "breaks": True})
       .disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"])
       .enable("strikethrough"))


def render(body: str) -> str:
    """The body as sanitised HTML: links get rel="nofollow noopener", scripts never survive."""
    return nh3.clean(_md.render(body), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener").strip()
