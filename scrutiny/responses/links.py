"""Response links, by the portal's rules (scrutiny.links): only a hash is
kept, each works once and only through the POST behind its page's button
(mail scanners open every link), and it lives until the due date plus the
portal's grace days. A responder who lost theirs asks for a new one with the
address the letter went to."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from scrutiny import links
from scrutiny.clock import local_to_utc, today, utcnow
from scrutiny.extensions import db
from scrutiny.responses.models import ResponseRequest, ResponseToken

# Why a link did not open the response page (the portal's words for each).
UNKNOWN, USED, EXPIRED, WITHDRAWN = links.UNKNOWN, links.USED, links.EXPIRED, links.WITHDRAWN
PATH = "/portal/respond/"


def link_expiry(request: ResponseRequest) -> datetime:
    last_day = (request.due_on or today()) + timedelta(days=current_app.config["PORTAL_LINK_GRACE_DAYS"])
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
    return links.look_up(ResponseToken, token, live=lambda r: is_live(r.request))


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
