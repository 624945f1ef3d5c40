"""Inviting witnesses to give evidence."""
from scrutiny.outbox.jobs import register_preparer

# A witness's e-mails carry a single-use portal link minted when each is sent.
register_preparer(("invitation", "reminder", "overdue", "new_link", "acknowledgement"),
                  "scrutiny.invitations.jobs.prepare_email")
