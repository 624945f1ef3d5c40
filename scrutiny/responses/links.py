"""Response links, by the portal's rules (scrutiny.links): only a hash is
kept, each works once and only through the POST behind its page's button
(mail scanners open every link), and it lives until the due date plus the
portal's grace days, or, once the response is submitted, until the group's
last review of progress (link_expiry). A responder who lost theirs asks for
a new one with the address the letter went to."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import func, select

from scrutiny import links
from scrutiny.clock import local_to_utc, to_local, today, utcnow
from scrutiny.extensions import db
from scrutiny.responses.models import ResponseRequest, ResponseToken, ReviewPoint

# Why a link did not open the response page (the portal's words for each).
UNKNOWN, USED, EXPIRED, WITHDRAWN = links.UNKNOWN, links.USED, links.EXPIRED, links.WITHDRAWN
PATH = "/portal/respond/"
SUBMITTED_MONTHS = 12  # a submitted response's links, when the group has no review point to come


def link_expiry(request: ResponseRequest) -> datetime:
    """The end of the last day a link to this request opens the portal.

    Until the response is submitted: the due date plus the grace days. Once
    it is, the responder comes back for months to report progress on their
    actions, so the link lives until the group's last review point still to
    be held (plus the grace days), or, with none planned, a year after
    submission; never less than before."""
    grace = timedelta(days=current_app.config["PORTAL_LINK_GRACE_DAYS"])
    last_day = (request.due_on or today()) + grace
    if request.is_submitted:
        review_due = db.session.scalar(select(func.max(ReviewPoint.due_on)).where(
            ReviewPoint.topic_group_id == request.topic_group_id, ReviewPoint.held_at.is_(None)))
        monitored_until = review_due + grace if review_due is not None \
            else to_local(request.submitted_at).date() + relativedelta(months=SUBMITTED_MONTHS)
        last_day = max(last_day, monitored_until)
    return local_to_utc(last_day + timedelta(days=1), time(0))


def link_url(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}{PATH}{token}"


def issue_token(request: ResponseRequest) -> str:
    """A new single-use link (256 random bits); only its hash is stored.
    Links sent earlier keep working: several people of one organisation
    may each have their own."""
    token, token_hash = links.new_token()
    db.session.add(ResponseToken(request=request, token_hash=token_hash, expires_at=link_expiry(request)))
    db.session.commit()
    return token


def forget_token(token: str) -> None:
    """The link went nowhere (the mail server refused it): it must not work."""
    db.session.query(ResponseToken).filter_by(token_hash=links.hash_token(token)).delete()


def is_live(request: ResponseRequest) -> bool:
    return request.sent_at is not None and request.inadequate_at is None


def _token_record(token: str) -> tuple[ResponseToken | None, str | None]:
    record, problem = links.look_up(ResponseToken, token, live=lambda r: is_live(r.request))
    if problem == EXPIRED:
        # A link's stored expiry was worked out when it was sent, from the due
        # date; once the response is submitted it lives on (link_expiry), and
        # a review point planned since can carry it further.
        record = db.session.scalar(select(ResponseToken).where(ResponseToken.token_hash == links.hash_token(token)))
        if record.request.is_submitted and link_expiry(record.request) > utcnow():
            return record, None
        return None, EXPIRED
    return record, problem


def check_token(token: str) -> tuple[ResponseRequest | None, str | None]:
    """Would this link open the response page? Changes nothing."""
    record, problem = _token_record(token)
    return (record.request if record else None), problem


def redeem_token(token: str) -> tuple[ResponseRequest | None, str | None]:
    """Spend the link: only for the POST behind the start page's button."""
    record, problem = _token_record(token)
    if record is None:
        return None, problem
    record.used_at = utcnow()
    db.session.commit()
    return record.request, None


def by_public_id(public_id: str) -> ResponseRequest | None:
    return db.session.scalar(select(ResponseRequest).where(ResponseRequest.public_id == public_id))


def live_requests_to(address: str) -> list[ResponseRequest]:
    """The sent requests whose letter went to this address and whose link may still be used."""
    address = (address or "").strip().lower()
    if not address:
        return []
    now = utcnow()
    return [r for r in db.session.scalars(select(ResponseRequest).where(
            func.lower(ResponseRequest.to_address) == address, ResponseRequest.sent_at.is_not(None)))
            if is_live(r) and link_expiry(r) > now]
