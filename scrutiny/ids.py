"""Unguessable public ids for anything an outsider's URL names."""
import secrets


def public_id() -> str:
    """22 URL-safe characters, 128 random bits: not enumerable, not guessable."""
    return secrets.token_urlsafe(16)
