from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from scrutiny.extensions import db
from scrutiny.organisations.models import Organisation, kind_label  # noqa: F401 (kind_label: re-exported)


class OrganisationError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def kinds() -> dict[str, str]:
    return current_app.config["ORGANISATION_KINDS"]


def default_kind() -> str:
    """The kind given to an organisation nobody has said the kind of: the
    settings' "other" if it has one, else its last kind (the catch-all by custom)."""
    return "other" if "other" in kinds() else list(kinds())[-1]


def kind_from_text(text: str) -> str | None:
    """A kind as someone typed it: its key or its label, in any case."""
    wanted = " ".join(text.split()).lower()
    return next((key for key, label in kinds().items() if wanted in (key.lower(), label.lower())), None)


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def find_by_name(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.strip().lower()))


def address_text(text: str | None) -> str:
    """One part of the address a line: blank lines and stray spaces dropped."""
    return "\n".join(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())


def add_organisation(name: str, kind: str) -> Organisation:
    """A new organisation, flushed but not committed, so that it is saved (or
    not) with whatever else the caller is writing."""
    name = " ".join(name.split())
    if not name:
        raise OrganisationError("Enter the organisation’s name", "name")
    if len(name) > 200:
        raise OrganisationError("The organisation’s name must be 200 characters or fewer", "name")
    if kind not in kinds():
        raise OrganisationError("Choose what kind of organisation this is", "kind")
    if find_by_name(name) is not None:
        raise OrganisationError(f"There is already an organisation called {name}", "name")
    org = Organisation(name=name, kind=kind)
    db.session.add(org)
    db.session.flush()
    return org


def save_organisation(org: Organisation | None, *, name: str, kind: str, email: str | None = None,
                      website: str | None = None, notes: str | None = None, contact_name: str | None = None,
                      contact_role: str | None = None, postal_address: str | None = None) -> Organisation:
    name = name.strip()
    if kind not in kinds():
        raise OrganisationError("Choose what kind of organisation this is", "kind")
    existing = find_by_name(name)
    if existing is not None and existing is not org:
        raise OrganisationError(f"There is already an organisation called {existing.name}", "name")
    org = org or Organisation()
    org.name, org.kind = name, kind
    org.email = (email or "").strip().lower() or None
    org.website = (website or "").strip() or None
    org.notes = (notes or "").strip() or None
    org.contact_name = " ".join((contact_name or "").split())
    org.contact_role = " ".join((contact_role or "").split())
    org.postal_address = address_text(postal_address)
    db.session.add(org)
    db.session.commit()
    return org
