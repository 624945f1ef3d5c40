"""Build and send e-mail. Called from RQ jobs only, never from a request."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def render(template: str, **context) -> tuple[str, str]:
    """Plain-text and HTML bodies from templates/email/<template>.txt and .html."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    return text, html


def build(to: str, subject: str, text: str, html: str, *, to_name: str = "") -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = formataddr((config["COUNCIL_NAME"] + " scrutiny", config["MAIL_DEFAULT_SENDER"]))
    message["To"] = formataddr((to_name, to)) if to_name else to
    message["Message-ID"] = make_msgid(domain=config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_STARTTLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{exc.__class__.__name__}: {exc}") from exc
