"""The council's own look and voice: name, header colour (checked for contrast),
the scrutiny team's contact details and the logo (`services`, `views`)."""
from __future__ import annotations

import re

from flask import current_app

from config import ConfigError

_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_with_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


def check_team_contact(config) -> None:
    """Witnesses are told to contact the scrutiny team: a live council must say how."""
    address = config.get("SCRUTINY_TEAM_EMAIL") or ""
    if config.get("SCRUTINY_ENV") == "production" and not address:
        raise ConfigError("SCRUTINY_TEAM_EMAIL must be set when SCRUTINY_ENV=production: it is shown to "
                          "witnesses on every page and e-mail as the way to reach the scrutiny team")
    if address and "@" not in address:
        raise ConfigError(f"SCRUTINY_TEAM_EMAIL must be an e-mail address, not {address!r}")


def team_contact(group=None) -> dict:
    """How to reach the scrutiny team, for pages, e-mails and letters:
    {"email", "phone", "officer"}; `officer` is the group's lead officer's
    name, or "" without a group or lead officer."""
    config = current_app.config
    lead = getattr(group, "lead_officer", None) if group else None
    officer = lead.name if lead is not None else ""
    return {"email": config["SCRUTINY_TEAM_EMAIL"], "phone": config["SCRUTINY_TEAM_PHONE"], "officer": officer}


def check_brand_colour(value: str) -> str:
    """White header text must meet WCAG AA (4.5:1) on the brand colour."""
    if not _HEX.match(value or ""):
        raise ConfigError(f"BRAND_COLOUR must be a colour like #1d3d5c, not {value!r}")
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ConfigError(
            f"BRAND_COLOUR {value} gives white text a contrast of {ratio:.1f}:1; "
            "WCAG AA needs at least 4.5:1, so choose a darker colour"
        )
    return value
