"""Build and send e-mail. Called from RQ jobs only, never from a request."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import formataddr, getaddresses, make_msgid

from flask import current_app, render_template


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def render(template: str, **context) -> tuple[str, str]:
    """Plain-text and HTML bodies from templates/email/<template>.txt and .html."""
    text = render_template(f"email/{template}.txt", **context)
    html = render_template(f"email/{template}.html", **context)
    return text, html


def build(to: str, subject: str, text: str, html: str, *, to_name: str = "",
          headers: dict[str, str] | None = None, attachment: tuple[str, str, str] | None = None) -> EmailMessage:
    """`headers`: any more, e.g. a follower's List-Unsubscribe. `attachment`:
    one text file as (name, type, content), e.g. a calendar file
    ("event.ics", "text/calendar", ...), after the text and HTML bodies."""
    config = current_app.config
    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject
    message["From"] = formataddr((config["COUNCIL_NAME"] + " scrutiny", config["MAIL_DEFAULT_SENDER"]))
    message["To"] = formataddr((to_name, to)) if to_name else to
    message["Message-ID"] = make_msgid(domain=config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or None)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if attachment:
        name, content_type, content = attachment
        maintype, _, subtype = content_type.partition("/")
        if maintype != "text" or not subtype:
            raise ValueError(f"Only a text attachment can be sent, not {content_type!r}")
        message.add_attachment(content, subtype=subtype, filename=name)
    return message


def envelope(message: EmailMessage, *, smtputf8: bool = False) -> tuple[str, list[str], bytes, list[str]]:
    """Sender, recipients, the message's bytes (lines as written) and the MAIL options."""
    sender = getaddresses([message["From"]])[0][1]
    recipients = [addr for _, addr in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))]
    if not (sender + "".join(recipients)).isascii():
        if not smtputf8:
            raise MailError("The mail server cannot take an address that is not plain ASCII (no SMTPUTF8).")
        return sender, recipients, message.as_bytes(policy=SMTPUTF8), ["SMTPUTF8", "BODY=8BITMIME"]
    return sender, recipients, message.as_bytes(policy=SMTP), []


def send(message: EmailMessage) -> None:
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_STARTTLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.ehlo_or_helo_if_needed()
            # Not send_message: it flattens with mbox quoting, and witnesses
            # read ">From this page you can accept" in the text part.
            smtp.sendmail(*envelope(message, smtputf8=smtp.has_extn("smtputf8")))
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{exc.__class__.__name__}: {exc}") from exc
