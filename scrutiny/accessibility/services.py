"""What the accessibility statement says that changes from council to council
and from release to release: who runs the service, how to reach them, and
when this version was last tested."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from flask import current_app

from config import ConfigError
from scrutiny.branding import team_contact
from scrutiny.clock import to_local

# Built by `npm run build` as each release is deployed, after its tests
# (the axe pass and the keyboard run among them) passed: its date is the
# date this version was tested.
BUILT_STYLESHEET = Path("build") / "app.css"


@dataclass(frozen=True)
class Statement:
    council: str
    service: str
    email: str
    phone: str
    tested_on: date | None
    # "council": a test of the council's own (ACCESSIBILITY_TESTED_ON); "release": this version's checks.
    tested_by: str


def check_tested_on(config) -> None:
    """A mistyped date stops the start, rather than the statement's page."""
    value = config.get("ACCESSIBILITY_TESTED_ON") or ""
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"ACCESSIBILITY_TESTED_ON must be a date like 2026-11-30, not {value!r}") from None


def _release_built_on() -> date | None:
    stylesheet = Path(current_app.static_folder) / BUILT_STYLESHEET
    try:
        built = datetime.fromtimestamp(stylesheet.stat().st_mtime, timezone.utc)
    except OSError:  # no front-end build: nothing true to say about a date
        return None
    return to_local(built).date()


def statement() -> Statement:
    config = current_app.config
    contact = team_contact()
    own_test = config.get("ACCESSIBILITY_TESTED_ON") or ""
    return Statement(council=config["COUNCIL_NAME"], service=config["SERVICE_NAME"], email=contact["email"],
                     phone=contact["phone"],
                     tested_on=date.fromisoformat(own_test) if own_test else _release_built_on(),
                     tested_by="council" if own_test else "release")
