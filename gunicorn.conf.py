"""gunicorn settings for production (`gunicorn -c gunicorn.conf.py wsgi:app`)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
# Behind the proxy, connections are kept between requests: longer than the
# proxy keeps its idle upstream connections (nginx: 60 s), so gunicorn never
# closes one the proxy is about to reuse, and a reader who pauses a few
# seconds does not pay a new connection. An idle connection costs a gthread
# worker no thread, only a socket in its poller.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
# Behind a TLS-terminating proxy: trust its X-Forwarded-* headers. gunicorn takes only the scheme
# from them; the client's address (for sign-in limits and /healthz) needs TRUSTED_PROXIES=1 too.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    from scrutiny.redaction import RedactPortalTokens

    # Access log lines carry the request path; e-mailed link tokens (portal, password reset) must not.
    worker.log.access_log.addFilter(RedactPortalTokens())
    worker.log.error_log.addFilter(RedactPortalTokens())
