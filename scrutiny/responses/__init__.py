"""Responses to recommendations: due dates, the letters sent with their
response links, and the answers that come back."""
from scrutiny.outbox.jobs import register_preparer

# A response link is minted when its e-mail is sent, never before.
register_preparer(("response_request", "response_new_link", "response_reminder", "response_overdue"),
                  "scrutiny.responses.sending.prepare_email")
