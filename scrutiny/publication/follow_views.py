"""Following a published review by e-mail: ask, confirm, stop. Open to
everyone. The confirmation and unsubscribe links open a page with a
button; only the button changes anything."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, render_template, request, url_for

from scrutiny.extensions import db, limiter
from scrutiny.publication import following, published
from scrutiny.publication.forms import ButtonForm, FollowForm
from scrutiny.i18n import in_languages
from scrutiny.security import public

bp = Blueprint("follow", __name__)

PROBLEMS = {
    following.UNKNOWN: "This link does not work",
    following.EXPIRED: "This link has expired",
}


def _address_limit() -> str:
    return current_app.config["FOLLOW_LIMITS"]


def _client_limit() -> str:
    return current_app.config["FOLLOW_CLIENT_LIMITS"]


def _asked_address() -> str:
    return f"follow:{request.view_args.get('slug')}:" + following.normalise(request.form.get("email", ""))


def _asked(response) -> bool:
    return bool(g.get("follow_asked"))


def _private(page, status: int = 200):
    """A page opened by a link with a token in its address: not kept, no Referer sent on."""
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reviews/<slug>/follow", methods=["GET", "POST"])
@limiter.limit(_address_limit, key_func=_asked_address, methods=["POST"], deduct_when=_asked)
@limiter.limit(_client_limit, methods=["POST"])
@public
@in_languages
def follow(slug: str):
    group = published.find_live(slug) or abort(404)
    form = FollowForm()
    if form.validate_on_submit():
        following.ask_to_follow(group, form.email.data)
        g.follow_asked = True
        # The same page whatever the address's state: it tells no one who follows what.
        return render_template("publication/follow_asked.html", group=group, email=form.email.data,
                               review_path=url_for("public.review", slug=group.slug), hide_account=True)
    return render_template("publication/follow.html", form=form, group=group,
                           review_path=url_for("public.review", slug=group.slug), hide_account=True)


def _link_problem(err: following.FollowLinkError, link: str):
    db.session.rollback()
    title = "You are not following this review" if link == "unsubscribe" else PROBLEMS[err.problem]
    return _private(render_template("publication/follow_link_problem.html", title=title, link=link,
                                    problem=err.problem, hide_account=True))


# Tokens in these addresses: sent with no Referer (scrutiny.create_app), kept out of logs (scrutiny.redaction).
@bp.route("/reviews/follow/confirm/<token>", methods=["GET", "POST"])
@public
def confirm(token: str):
    form = ButtonForm()
    try:
        follower = following.check_confirm_link(token)  # reading only: opening the link confirms nothing
        if form.validate_on_submit():
            follower = following.confirm(token)
            return _private(render_template("publication/follow_done.html", group=follower.topic_group,
                                            confirmed=True, review_path=published.review_path(
                                                follower.topic_group.slug), hide_account=True))
    except following.FollowLinkError as err:
        return _link_problem(err, "confirm")
    group = follower.topic_group
    return _private(render_template("publication/follow_confirm.html", form=form, group=group,
                                    follower=follower, review_path=published.review_path(group.slug),
                                    hide_account=True))


@bp.route("/reviews/follow/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    form = ButtonForm()
    try:
        follower = following.check_unsubscribe_link(token)
        if form.validate_on_submit():
            group = following.unsubscribe(token)
            return _private(render_template("publication/follow_done.html", group=group, confirmed=False,
                                            review_path=published.review_path(group.slug), hide_account=True))
    except following.FollowLinkError as err:
        return _link_problem(err, "unsubscribe")
    return _private(render_template("publication/unsubscribe.html", form=form, group=follower.topic_group,
                                    follower=follower, hide_account=True))
