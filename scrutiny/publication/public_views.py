"""A published review's public pages: no sign-in, nothing personal or
confidential, and cacheable by anyone (browsers, a council's CDN).

Caching, and why it is safe here:

- No session is opened on these routes (`_no_session`): the request's
  session is a null one, so nothing (flask-login, CSRF, flash) can read or
  write it. No response sets a cookie or varies by one, so a shared cache
  can never hand one visitor's cookie to another.
- Every page carries a strong ETag (a hash of its HTML) and
  `Cache-Control: public, max-age=300`; If-None-Match is answered with 304.
  Files carry their stored content's validator and a longer max-age.
- The page's CSP nonce is derived from that hash (keyed by the app's secret)
  rather than drawn per request: a browser that revalidates a cached page
  takes the 304's CSP header with the body it kept, and a fresh nonce would
  no longer match that body's scripts and styles.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from scrutiny.documents.models import DocumentStatus
from scrutiny.publication import cleared, page_cache, public_page
from scrutiny.i18n import in_languages
from scrutiny.security import public
from scrutiny.storage import send_stored

bp = Blueprint("public", __name__)

PAGE_MAX_AGE = 300
FILE_MAX_AGE = 3600
_NONCE_STANDIN = "publicpagenoncestandin"


class NoSessionOnPublicPages(SecureCookieSessionInterface):
    """The app's cookie sessions, except that a request to this blueprint
    opens none: it gets Flask's null session, which is never saved (no
    Set-Cookie, even for a signed-in officer) and never marks a response
    `Vary: Cookie`. Decided before the request is routed, so nothing that
    runs before the view (flask-login, CSRF, flash) can open one."""

    def open_session(self, app, request):
        try:
            endpoint, _ = app.url_map.bind_to_environ(request.environ).match(method=request.method)
        except HTTPException:
            endpoint = None
        if endpoint and endpoint.startswith(f"{bp.name}."):
            return None
        return super().open_session(app, request)


@bp.record_once
def _sessionless(state):
    if type(state.app.session_interface) is not SecureCookieSessionInterface:
        raise RuntimeError("the public pages expect Flask's own cookie sessions to wrap")
    state.app.session_interface = NoSessionOnPublicPages()


def _nonce(etag: str) -> str:
    return hmac.new(current_app.config["SECRET_KEY"].encode("utf-8"), etag.encode("ascii"),
                    hashlib.sha256).hexdigest()[:32]


def _restore_nonce(etag: str) -> None:
    """A page from the cache: its CSP header must name the nonce in its body."""
    request.csp_nonce = _nonce(etag)


def _page(template: str, status: int = 200, **context):
    """The page with its ETag, answered 304 when the visitor has it already."""
    request.csp_nonce = _NONCE_STANDIN
    body = render_template(template, **context)
    etag = hashlib.sha256(body.encode("utf-8")).hexdigest()
    nonce = _nonce(etag)
    request.csp_nonce = nonce  # what Talisman's header says
    response = make_response(body.replace(_NONCE_STANDIN, nonce), status)
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = PAGE_MAX_AGE
    return response.make_conditional(request)


def _published(slug: str) -> public_page.Found:
    """The review, or 404 for an unknown or never published slug."""
    return public_page.find(slug) or abort(404)


def _gone(found: public_page.Found):
    return _page("public/withdrawn.html", 410, review=public_page.withdrawn(found))


@bp.get("/reviews/<slug>")
@public
@in_languages
def review(slug: str):
    def render():
        found = _published(slug)
        if found.withdrawn:
            return _gone(found)
        return _page("public/review.html", review=public_page.review(found))

    return page_cache.cached(render, _restore_nonce)


@bp.get("/reviews/<slug>/report")
@public
@in_languages
def report(slug: str):
    def render():
        found = _published(slug)
        if found.withdrawn:
            return _gone(found)
        # Reopened after publishing, the live text is a draft again: only the PDF stays what was agreed.
        revising = not public_page.has_report_page(found.group)
        return _page("public/report.html", report=None if revising else public_page.report(found.group),
                     slug=slug, title=found.group.title, document=public_page.report_document(found.group))

    return page_cache.cached(render, _restore_nonce)


@bp.get("/reviews/<slug>/report.pdf")
@public
def report_pdf(slug: str):
    found = _published(slug)
    if found.withdrawn:
        return _gone(found)
    document = public_page.report_document(found.group)
    if document is None or document.status != DocumentStatus.DONE or not document.storage_key:
        abort(404)
    # Public, with the PDF's sha256 as its ETag (send_stored answers If-None-Match); from an
    # object store, a redirect to a short-lived presigned address, so the store carries the rush.
    return send_stored(document.storage_key, mimetype="application/pdf",
                       download_name=public_page.report_filename(found.group, document),
                       sha256=document.sha256, size=document.size, max_age=PAGE_MAX_AGE, public=True)


@bp.get("/reviews/<slug>/files/<file_id>")
@public
def file(slug: str, file_id: str):
    found = _published(slug)
    if found.withdrawn:
        return _gone(found)
    public_file = cleared.public_file(found.group, file_id) or abort(404)
    # A storage key never holds other bytes than it was given: it validates the content.
    etag = hashlib.sha256(public_file.storage_key.encode("ascii")).hexdigest()
    return send_stored(public_file.storage_key, mimetype=public_file.content_type or "application/octet-stream",
                       download_name=public_file.name, sha256=etag, size=public_file.size, max_age=FILE_MAX_AGE,
                       public=True)
