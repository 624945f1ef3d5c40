"""Keeps e-mailed link tokens (the portal's, password resets') out of the
logs: access logs print request lines, and a token in one would be a
working key in a log file."""
from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(r"(/portal/start/|/reset-password/|/reviews/follow/confirm/|/reviews/follow/unsubscribe/"
                        r"|/take-part/discussions/manage/)[^\s\"?]+")


def redact(text: str) -> str:
    return TOKEN_PATH.sub(r"\1[redacted]", text)


class RedactPortalTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # The message as it will be written, then blanked: a token can sit in
        # the format ("/portal/start/%s") as well as in the arguments.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call: blank what there is
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        return True


def install(*logger_names: str) -> None:
    """On named loggers: their own records only (a logger's filters do not see
    records propagated from its children)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPortalTokens) for f in logger.filters):
            logger.addFilter(RedactPortalTokens())


def install_on_root_handlers() -> None:
    """On every handler a propagated record reaches: the root logger's, Flask's
    own (the app logger's when the root has none) and Python's last resort, so
    a token in any module's message is blanked before it is written."""
    from flask.logging import default_handler

    for handler in [*logging.getLogger().handlers, default_handler, logging.lastResort]:
        if handler is not None and not any(isinstance(f, RedactPortalTokens) for f in handler.filters):
            handler.addFilter(RedactPortalTokens())
