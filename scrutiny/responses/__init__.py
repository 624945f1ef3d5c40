"""Responses to recommendations: due dates, the letters sent with their
response links, the answers that come back, and the group's reviews."""
from scrutiny.groups import hooks
from scrutiny.outbox.jobs import register_preparer

# A response link is minted when its e-mail is sent, never before.
register_preparer(("response_request", "response_new_link", "response_reminder", "response_overdue"),
                  "scrutiny.responses.sending.prepare_email")


def _standing_part(group, user):
    from scrutiny.responses import closing

    return closing.standing_part(group, user)


def _closing_check(group):
    from scrutiny.responses import closing

    return closing.closing_check(group)


# The group's page shows how its recommendations stand; closing the group
# while they are not all achieved needs a reason (scrutiny.groups.hooks).
hooks.add_page_part(_standing_part)
hooks.add_closing_check(_closing_check)
