"""The privacy and publication notice a witness confirms before submitting.

The council's own words come from PORTAL_PRIVACY_NOTICE (Markdown, with
{council_name}, {retention} and {team_email} filled in); without it, the text
below. Its SHA-256 is kept with each submission, so the council can tell
which wording a witness confirmed, even after the text changes.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from markupsafe import Markup

from scrutiny.markdown import render_markdown

DEFAULT_NOTICE = """\
# What we publish

Unless you mark it confidential, your evidence may be published. It goes into the topic group's papers, which \
anyone can read, and the group's final report may quote it. Published evidence names your organisation and, \
if you gave one, your role. We never publish your email address or phone number.

# What stays confidential

Evidence and files you mark as confidential are not published or quoted. The group may say in general terms \
what it learned from them. {council_name} may still have to release information when the law requires it \
(for example under the Freedom of Information Act); where it can, it will ask you first.

# Who sees your evidence

The councillors on the topic group and the scrutiny officers who support them see everything you send. \
Other council staff see it only when they need to, to answer the group's recommendations.

# How long we keep it

{council_name} keeps your evidence and your contact details for {retention}, then deletes them.

To ask about your information or your rights, contact the scrutiny team at {team_email}.
"""


class _Blanks(dict):
    """Leaves a {word} the council typed but we do not fill as it was."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def privacy_notice(under: int = 2) -> Markup:
    """The notice as HTML; `under` is the level of the heading it sits below
    (on the submit page, an h2). Its hash is taken from that rendering."""
    config = current_app.config
    text = config.get("PORTAL_PRIVACY_NOTICE") or DEFAULT_NOTICE
    blanks = _Blanks(council_name=config["COUNCIL_NAME"], retention=config["EVIDENCE_RETENTION"],
                     team_email=config["SCRUTINY_TEAM_EMAIL"])
    try:
        filled = text.format_map(blanks)
    except (ValueError, IndexError):  # a lone brace or {0} in the council's text: show it as typed
        filled = text
    return render_markdown(filled, under=under)


def notice_sha256(notice: Markup) -> str:
    return hashlib.sha256(str(notice).encode()).hexdigest()
