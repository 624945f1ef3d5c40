"""Jobs of community engagement, scheduled by `scheduling` after the change
they follow is committed. Each decides again from the database when it runs,
and every worker's sweep runs the same checks (`sweep`)."""
from __future__ import annotations

from scrutiny.community import retention, signups
from scrutiny.extensions import db


def lapse_offers(event_id: int) -> str:
    """At an offer's deadline: offers not accepted lapse and the next waiting are offered."""
    lapsed = signups.lapse_due_offers(event_id)
    db.session.commit()
    return f"{lapsed} offers lapsed"


def erase_due() -> str:
    erased = retention.erase_due()
    db.session.commit()
    return f"{erased} erased"


def sweep() -> int:
    """The worker's sweep: offers past their deadline, details past retention.
    Returns how many sign-ups and requests changed."""
    count = signups.lapse_due_offers()
    count += retention.erase_due()
    db.session.commit()
    return count
