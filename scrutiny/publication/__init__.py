"""Publication: what a topic group shows the public, what officers cleared
and redacted before it went out, who follows it, and what changed when."""
from scrutiny.groups import hooks
from scrutiny.outbox.jobs import register_preparer
from scrutiny.responses import review_hooks


def _review_held(point):
    from scrutiny.publication import services

    services.review_held(point)


def _publication_part(group, user):
    from scrutiny.publication import services

    return services.page_part(group, user)


# A review held is a public update ("6-month review: judgements recorded");
# the group's page says where its publication stands (officers only).
review_hooks.on_review_held(_review_held)
hooks.add_page_part(_publication_part)

# A follower's messages get their links when they are sent (see following.py).
register_preparer(("follow_confirm", "review_news"), "scrutiny.publication.following.prepare_email")
