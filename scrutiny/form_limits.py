"""Limits per client on the public forms residents send (a discussion
sign-up, a one-to-one request, a survey's answers, a withdrawal), against
software sending them in bulk; with a honeypot field, instead of a
third-party CAPTCHA.

A form the app took counts; one refused for a typing mistake does not, so a
resident correcting their answers is never shut out. A honeypot filled in
counts as taken (the sender is answered as if it were, and nothing is kept).
"""
from __future__ import annotations

from flask import current_app, g

from scrutiny.extensions import limiter


def _taken(response) -> bool:
    return bool(g.get("public_form_taken"))


def forms_taken(setting: str):
    """Limit a view's POSTs to the config `setting` ("10 per hour") per client, counting forms taken."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], deduct_when=_taken)


def every_attempt(setting: str):
    """Limit a view's POSTs to `setting` per client, counting every attempt (guessing references)."""
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"])


def taken() -> None:
    """This request's form was taken (or a honeypot was filled): it counts."""
    g.public_form_taken = True
