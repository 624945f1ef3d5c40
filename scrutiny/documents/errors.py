"""The one error a build request raises, apart from the modules that raise
it, so the kinds of document (letters, agendas, the report) and the service
that builds them need not import each other."""
from __future__ import annotations


class DocumentError(ValueError):
    """The build cannot start; the message tells the officer what to fix."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]
