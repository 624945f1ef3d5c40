"""Publication: what a topic group shows the public, what officers cleared
and redacted before it went out, who follows it, and what changed when."""
from scrutiny.outbox.jobs import register_preparer

# A follower's messages get their links when they are sent (see following.py).
register_preparer(("follow_confirm", "review_news"), "scrutiny.publication.following.prepare_email")
