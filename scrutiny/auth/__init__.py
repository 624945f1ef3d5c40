"""Staff accounts: signing in, passwords, the administrators' user list."""
from scrutiny.outbox.jobs import register_preparer

# A reset e-mail's single-use link is minted when it is sent.
register_preparer(("password_reset",), "scrutiny.auth.password_reset.prepare_email")
