"""Findings and recommendations of a topic group.

For now these hold the draft the group is working on; later issues add
evidence links, versions, letters and responses.
"""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scrutiny.extensions import db
from scrutiny.groups.models import Theme, TopicGroup
from scrutiny.organisations.models import Organisation

recommendation_addressees = Table(
    "recommendation_addressees",
    db.metadata,
    Column("recommendation_id", ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Finding(db.Model):
    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("topic_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("findings", order_by="Finding.number", cascade="all, delete-orphan")
    )
    theme: Mapped[Theme | None] = relationship(lazy="joined")


class Recommendation(db.Model):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("topic_group_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_group_id: Mapped[int] = mapped_column(ForeignKey("topic_groups.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    # Why the group makes it: health scrutiny reports must explain each one.
    explanation: Mapped[str] = mapped_column(Text, default="")
    # How the report names the addressees ("All health services"); the
    # organisations themselves are the rows in `addressees`.
    addressed_to: Mapped[str] = mapped_column(String(300), default="")

    topic_group: Mapped[TopicGroup] = relationship(
        backref=db.backref("recommendations", order_by="Recommendation.number", cascade="all, delete-orphan")
    )
    # Loaded with the recommendations: every page that lists them names them.
    addressees: Mapped[list[Organisation]] = relationship(
        secondary=recommendation_addressees, order_by=Organisation.name, lazy="selectin"
    )
