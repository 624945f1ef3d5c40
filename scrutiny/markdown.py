"""Markdown that users type, rendered to HTML that is safe to show.

markdown-it-py parses with raw HTML switched off; nh3 (ammonia) then keeps
only the tags and attributes listed here, so neither Markdown links with
`javascript:` URLs nor anything that slips through the parser can run.
"""
from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"},
                      "table": {"tabindex"}}


def render_markdown(text: str | None, under: int = 1) -> Markup:
    """`under`: the level of the page heading the text sits below. Typed
    headings always move down at least one level ("# Heading" becomes h2),
    and further if needed so the highest one is h(under + 1)."""
    if not text:
        return Markup("")
    return Markup(_render(text, under))  # noqa: S704 - sanitised by nh3 in _render


@lru_cache(maxsize=1024)
def _render(text: str, under: int) -> str:
    """Lists show the same scopes on every request; parse each text once."""
    tokens = _parser.parse(text)
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if headings:
        shift = max(1, under + 1 - min(int(t.tag[1]) for t in headings))
        for token in headings:
            token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"
    for token in tokens:
        if token.type == "table_open":
            # A wide table scrolls inside itself on a narrow screen: focusable, a keyboard can scroll it.
            token.attrSet("tabindex", "0")
    html = _parser.renderer.render(tokens, _parser.options, {})
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return clean
