"""Which reviews the public may see, as the index, the feeds and following
find them: groups whose publication is live (published, not withdrawn)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from markdown_it import MarkdownIt
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from scrutiny.clock import to_local
from scrutiny.extensions import db
from scrutiny.groups.models import TopicGroup
from scrutiny.publication.models import Publication, PublicationEvent

SUMMARY_LENGTH = 200
_markdown = MarkdownIt("commonmark")


def review_path(slug: str) -> str:
    """The review's public page (scrutiny.publication's `public` blueprint)."""
    return f"/reviews/{slug}"


def absolute(path: str) -> str:
    """Links that leave the site (feeds, e-mail) are built from BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def one_line(scope: str, limit: int = SUMMARY_LENGTH) -> str:
    """The first paragraph of a scope as plain text, cut at a word near `limit`."""
    inline = next((t for t in _markdown.parse(scope or "") if t.type == "inline"), None)
    words = "".join(c.content or (" " if c.type in ("softbreak", "hardbreak") else "")
                    for c in (inline.children or []) if c.type in ("text", "code_inline", "softbreak", "hardbreak")
                    ) if inline else ""
    words = " ".join(words.split())
    if len(words) <= limit:
        return words
    return words[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@dataclass(frozen=True)
class PublishedReview:
    slug: str
    title: str
    scope: str
    summary: str
    themes: tuple[str, ...]
    published_at: datetime  # naive UTC
    changed_at: datetime  # the last change anyone following it would see
    responses_published: bool = False

    @property
    def year(self) -> int:
        return to_local(self.published_at).year

    @property
    def path(self) -> str:
        return review_path(self.slug)


def _live(query):
    return query.where(Publication.published_at.is_not(None), Publication.withdrawn_at.is_(None))


def live_reviews() -> list[PublishedReview]:
    """Every published review, newest first."""
    rows = db.session.execute(_live(
        select(TopicGroup, Publication).join(Publication, Publication.topic_group_id == TopicGroup.id))
        .options(selectinload(TopicGroup.themes))
        .order_by(Publication.published_at.desc(), TopicGroup.id.desc())).all()
    latest = dict(db.session.execute(
        select(PublicationEvent.topic_group_id, db.func.max(PublicationEvent.happened_at))
        .group_by(PublicationEvent.topic_group_id)).all())
    return [PublishedReview(slug=group.slug, title=group.title, scope=group.scope, summary=one_line(group.scope),
                            themes=tuple(t.name for t in group.themes), published_at=publication.published_at,
                            changed_at=max(d for d in (publication.published_at, publication.updated_at,
                                                       latest.get(group.id)) if d is not None),
                            responses_published=publication.responses_published_at is not None)
            for group, publication in rows]


RESPONSES = ("published", "awaited")


def matching(reviews: list[PublishedReview], *, words: str = "", year: int | None = None,
             theme: str = "", responses: str = "") -> list[PublishedReview]:
    """Those whose title or scope holds `words` (any case), published in
    `year`, with `theme`, whose responses are "published" or still "awaited".
    Few reviews are published a year: filtered here rather than in SQL, so
    case folding is the same on every database."""
    wanted = words.casefold().split()
    return [r for r in reviews
            if all(w in f"{r.title}\n{r.scope}".casefold() for w in wanted)
            and (year is None or r.year == year)
            and (not theme or theme in r.themes)
            and (responses not in RESPONSES or r.responses_published == (responses == "published"))]


def years(reviews: list[PublishedReview]) -> list[int]:
    return sorted({r.year for r in reviews}, reverse=True)


def themes(reviews: list[PublishedReview]) -> list[str]:
    return sorted({t for r in reviews for t in r.themes}, key=str.casefold)


def find_group(slug: str) -> tuple[TopicGroup, Publication] | None:
    """The group and its publication, whether live or withdrawn; None if never published."""
    row = db.session.execute(select(TopicGroup, Publication)
                             .join(Publication, Publication.topic_group_id == TopicGroup.id)
                             .where(TopicGroup.slug == slug, Publication.published_at.is_not(None))).first()
    return (row[0], row[1]) if row else None


def find_live(slug: str) -> TopicGroup | None:
    found = find_group(slug)
    return found[0] if found and found[1].is_live else None


def events(group: TopicGroup) -> list[PublicationEvent]:
    """The review's public events, newest first."""
    return list(db.session.scalars(select(PublicationEvent).where(PublicationEvent.topic_group_id == group.id)
                                   .order_by(PublicationEvent.happened_at.desc(), PublicationEvent.id.desc())))
