"""The mail catcher `make run` starts when no MAIL_SERVER is set: an SMTP
server on loopback that prints each message's recipient, subject and decoded
text, each link on a line of its own so a terminal makes it clickable whole.

`python -m scrutiny.devmail PORT`"""
from __future__ import annotations

import re
import signal
import sys
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TextIO

LINK = re.compile(r"https?://[^\s<>\"']+")
RULE = "-" * 72


def _own_lines(line: str) -> list[str]:
    """The line, with each link split out onto a line of its own."""
    parts, rest = [], line
    for match in LINK.finditer(line):
        link = match.group(0).rstrip(".,;:)")
        before, _, rest = rest.partition(link)
        parts += [before.strip(), link]
    parts.append(rest.strip())
    return [p for p in parts if p] if len(parts) > 1 else [line]


def describe(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    text = body.get_content() if body is not None else "(this message has no plain-text part)"
    lines = [out for line in text.splitlines() for out in _own_lines(line.rstrip())]
    return "\n".join([RULE, f"To:      {message['To']}", f"Subject: {message['Subject']}", "", *lines, RULE, ""])


class PrintingHandler:
    def __init__(self, out: TextIO = sys.stdout):
        self.out = out

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.out.write(describe(message))
        self.out.flush()
        return "250 OK"


def main(port: int) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(PrintingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"Catching mail on 127.0.0.1:{port}: each message is printed here.", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]))
