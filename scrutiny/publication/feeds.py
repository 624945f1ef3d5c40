"""Atom feeds of published reviews (feedgen): one of every review, one of
each review's public events. Built only from what is public, with absolute
links (BASE_URL), and the same bytes for the same data, so the feed's hash
is its ETag."""
from __future__ import annotations

from datetime import datetime, timezone

from feedgen.feed import FeedGenerator
from flask import current_app

from scrutiny.groups.models import TopicGroup
from scrutiny.publication.models import EventKind, Publication, PublicationEvent
from scrutiny.publication.published import PublishedReview, absolute, review_path

INDEX_PATH = "/reviews"
INDEX_FEED_PATH = "/reviews/feed.atom"
# An empty feed still needs an <updated>; a fixed one keeps its bytes (and ETag) steady.
NEVER = datetime(2000, 1, 1, tzinfo=timezone.utc)


def feed_path(slug: str) -> str:
    return f"{review_path(slug)}/feed.atom"


def _utc(stored: datetime) -> datetime:
    return stored.replace(tzinfo=timezone.utc)


def _feed(*, title: str, subtitle: str, page: str, feed: str, updated: datetime | None) -> FeedGenerator:
    council = current_app.config["COUNCIL_NAME"]
    fg = FeedGenerator()
    fg.id(absolute(feed))
    fg.title(title)
    fg.subtitle(subtitle)
    fg.author({"name": council})
    fg.link(href=absolute(page), rel="alternate", type="text/html")
    fg.link(href=absolute(feed), rel="self", type="application/atom+xml")
    fg.language("en-GB")
    fg.updated(_utc(updated) if updated else NEVER)
    return fg


def index_feed(reviews: list[PublishedReview]) -> bytes:
    """Every published review, newest first, each updated when it last changed."""
    council = current_app.config["COUNCIL_NAME"]
    fg = _feed(title=f"Published scrutiny reviews – {council}",
               subtitle=f"Reviews published by the scrutiny councillors of {council}",
               page=INDEX_PATH, feed=INDEX_FEED_PATH,
               updated=max((r.changed_at for r in reviews), default=None))
    for review in reviews:
        entry = fg.add_entry(order="append")
        entry.id(absolute(review.path))
        entry.title(review.title)
        entry.summary(review.summary or review.title)
        entry.link(href=absolute(review.path), rel="alternate", type="text/html")
        entry.published(_utc(review.published_at))
        entry.updated(_utc(review.changed_at))
        for theme in review.themes:
            entry.category(term=theme)
    return fg.atom_str(pretty=True)


def review_feed(group: TopicGroup, publication: Publication, events: list[PublicationEvent]) -> bytes:
    """The review's public events, newest first. A withdrawn review's feed
    says so as its newest entry, with the reason given."""
    entries = [(e.public_id, e.title, e.summary, e.happened_at) for e in events]
    if publication.withdrawn_at and not (events and events[0].kind == EventKind.WITHDRAWN):
        entries.insert(0, (f"withdrawn-{publication.withdrawn_at:%Y%m%d%H%M%S}", "This review was withdrawn",
                           publication.withdrawal_reason, publication.withdrawn_at))
    fg = _feed(title=group.title, subtitle=f"News of the scrutiny review {group.title}",
               page=review_path(group.slug), feed=feed_path(group.slug),
               updated=max((when for *_, when in entries), default=publication.published_at))
    for key, title, summary, when in entries:
        entry = fg.add_entry(order="append")
        entry.id(f"{absolute(review_path(group.slug))}#{key}")
        entry.title(title)
        entry.summary(summary or title)
        entry.link(href=absolute(review_path(group.slug)), rel="alternate", type="text/html")
        entry.published(_utc(when))
        entry.updated(_utc(when))
    return fg.atom_str(pretty=True)
