"""The public index of published reviews and the Atom feeds: open to
everyone, no sign-in, no cookie."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from scrutiny.publication import feeds, published
from scrutiny.publication.caching import public_response
from scrutiny.i18n import in_languages
from scrutiny.security import public

bp = Blueprint("reviews_index", __name__)

ATOM = "application/atom+xml"


def _year(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) == 4 else None


@bp.get("/reviews")
@public
@in_languages
def index():
    everything = published.live_reviews()
    words = request.args.get("q", "").strip()[:200]
    year = _year(request.args.get("year", ""))
    theme = request.args.get("theme", "").strip()
    responses = request.args.get("responses", "")
    responses = responses if responses in published.RESPONSES else ""
    found = published.matching(everything, words=words, year=year, theme=theme, responses=responses)
    size = current_app.config["PUBLIC_PAGE_SIZE"]
    pages = max(1, -(-len(found) // size))
    number = request.args.get("page", "1")
    number = min(int(number), pages) if number.isdigit() and int(number) > 0 else 1
    filters = {k: v for k, v in (("q", words), ("year", year), ("theme", theme), ("responses", responses)) if v}
    response = current_app.make_response(render_template(
        "publication/index.html", reviews=found[(number - 1) * size:number * size], total=len(found),
        first=(number - 1) * size + 1, number=number, pages=pages, filters=filters, words=words, year=year,
        theme=theme, responses=responses, years=published.years(everything), themes=published.themes(everything),
        feed_path=feeds.INDEX_FEED_PATH, hide_account=True))
    # The same page for everyone (no account shown), so it may be kept a little.
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['PUBLIC_MAX_AGE']}"
    return response


@bp.get("/reviews/feed.atom")
@public
def feed():
    return public_response(feeds.index_feed(published.live_reviews()), ATOM)


@bp.get("/reviews/<slug>/feed.atom")
@public
def review_feed(slug: str):
    found = published.find_group(slug) or abort(404)
    group, publication = found
    return public_response(feeds.review_feed(group, publication, published.events(group)), ATOM)
