"""Publication: what a topic group shows the public, what officers cleared
and redacted before it went out, who follows it, and what changed when."""
