"""Error pages: the user gets a page that says what happened, never a trace."""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError

from scrutiny.extensions import db

# Lazy: a public page's error (a 404 at /ar/reviews/...) is in that page's language.
MESSAGES = {
    400: (_l("Something was wrong with that request"), _l("Go back and try again.")),
    403: (_l("You do not have permission to see this page"), _l("If you think you should, ask a scrutiny officer or an administrator.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct. If you pasted it, check you copied the whole address.")),
    413: (_l("The files are too large"), _l("Go back and upload fewer files at a time.")),
    429: (_l("Too many attempts"), _l("Wait a few minutes, then try again.")),
    500: (_l("Sorry, there is a problem with the service"), _l("Try again later.")),
    503: (_l("Sorry, the service is unavailable"), _l("The service cannot reach its database just now. Try again in a few minutes.")),
}


def error_page(status: int, detail: str | None = None):
    title, body = MESSAGES[status]
    # With the database down, even asking who is signed in would fail again.
    page = render_template(
        "errors/error.html", title=title, body=detail or body, status=status, hide_account=status == 503
    )
    return page, status


def register(app: Flask) -> None:
    for status in (400, 403, 404, 500):
        app.register_error_handler(status, lambda e, s=status: error_page(s))

    @app.errorhandler(413)
    def too_large(e):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_page(413, f"Everything sent at once must come to less than {limit} MB. Go back and upload "
                               "fewer files at a time; files you saved before are kept.")

    @app.errorhandler(429)
    def too_many(e):
        return error_page(429, _l("You have tried too many times. Wait a few minutes, then try again. (%(limit)s)",
                                  limit=e.description))

    @app.errorhandler(CSRFError)
    def csrf_failed(e):
        return error_page(400, "The form had expired or was not sent from this site. Go back, reload the page and try again.")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(e):
        # The endpoint, not the path: a path can carry a live link's token.
        app.logger.error("database error in %s: %s", request.endpoint, e.__class__.__name__)
        db.session.rollback()
        return error_page(503)
