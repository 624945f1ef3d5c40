"""Settings, all read from the environment with a safe development default.

`SCRUTINY_ENV` picks the class: development (default), testing, production.
Nothing here touches the database or Redis; `create_app` does that.
"""
from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SCRUTINY_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _env_json(name: str, default):
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be JSON: {exc}") from exc


def _development_secret_key() -> str:
    """A key generated once per checkout, so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _redis_url() -> str:
    """REDIS_URL; in development without it, the private Redis a running
    `make run` recorded, so `flask` in a second terminal reaches its queue."""
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    recorded = INSTANCE_DIR / "dev-redis-url"
    if os.environ.get("SCRUTINY_ENV", "development") == "development" and recorded.exists():
        return recorded.read_text().strip()
    return "redis://127.0.0.1:6379/0"


# S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens,
# starting and ending with a letter or digit.
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# A prefix: path segments of letters, digits and the few marks safe in any store.
_PREFIX_RE = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*")


def parse_storage_url(url: str) -> tuple[str, str] | None:
    """``STORAGE_URL``: empty for the local directory ``STORAGE_DIR``, or
    ``s3://bucket`` / ``s3://bucket/prefix`` for an S3-compatible store;
    returns ``(bucket, prefix)`` or None. Anything else stops the start."""
    url = (url or "").strip()
    if not url:
        return None
    example = "s3://bucket-name/optional/prefix"
    if not url.startswith("s3://"):
        raise ConfigError(f"STORAGE_URL must be empty (files in STORAGE_DIR) or like {example}, not {url!r}")
    bucket, _, prefix = url[len("s3://"):].partition("/")
    prefix = prefix.strip("/")
    if not _BUCKET_RE.fullmatch(bucket) or ".." in bucket:
        raise ConfigError(f"STORAGE_URL names no valid S3 bucket in {url!r}: a bucket name is 3 to 63 "
                          f"lower-case letters, digits, dots and hyphens (like {example}); the endpoint "
                          "goes in STORAGE_S3_ENDPOINT_URL, credentials in AWS_ACCESS_KEY_ID and "
                          "AWS_SECRET_ACCESS_KEY")
    if prefix and (not _PREFIX_RE.fullmatch(prefix) or any(part in (".", "..") for part in prefix.split("/"))):
        raise ConfigError(f"STORAGE_URL's prefix {prefix!r} must be folder names of letters, digits, "
                          f"'_', '.' and '-' separated by '/' (like {example})")
    return bucket, prefix


def database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SCRUTINY_ENV = "development"

    COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Example County Council")
    SERVICE_NAME = os.environ.get("SERVICE_NAME", "Scrutiny")
    # The header background; white text must reach 4.5:1 on it (checked at start).
    BRAND_COLOUR = os.environ.get("BRAND_COLOUR", "#1d3d5c")
    # Times are stored in UTC and shown in the council's own time zone.
    TIMEZONE = os.environ.get("TIMEZONE", "Europe/London")
    # How witnesses, organisations and councillors reach the scrutiny team:
    # on every portal page, e-mail and letter. Production has no default.
    SCRUTINY_TEAM_EMAIL = os.environ.get("SCRUTINY_TEAM_EMAIL", "scrutiny@example.org")
    SCRUTINY_TEAM_PHONE = os.environ.get("SCRUTINY_TEAM_PHONE", "01632 960 000")  # a drama number
    # The accessibility statement's "last tested" date (YYYY-MM-DD), when the
    # council has the service tested itself; empty: the date this release was
    # built, after its automated accessibility checks passed.
    ACCESSIBILITY_TESTED_ON = os.environ.get("ACCESSIBILITY_TESTED_ON", "")

    # Kinds of organisation: key -> label. Override in instance/settings.py.
    ORGANISATION_KINDS = {
        "council_executive": "Council executive",
        "council_department": "Council department",
        "nhs_body": "NHS body or health service provider",
        "health_partnership": "Health partnership",
        "voluntary_community": "Voluntary or community group",
        "other": "Other organisation",
    }

    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'scrutiny.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = _redis_url()
    RQ_QUEUES = ["default"]
    # Files live in STORAGE_DIR, unless STORAGE_URL=s3://bucket/prefix puts
    # them in an S3-compatible store (then STORAGE_DIR holds only temporary
    # files: uploads being checked, PDFs being built).
    STORAGE_DIR = os.environ.get("STORAGE_DIR", str(INSTANCE_DIR / "storage"))
    STORAGE_URL = os.environ.get("STORAGE_URL", "")
    STORAGE_S3_ENDPOINT_URL = os.environ.get("STORAGE_S3_ENDPOINT_URL", "")  # empty: AWS itself
    STORAGE_S3_REGION = os.environ.get("STORAGE_S3_REGION", "")  # empty: boto3's (AWS_DEFAULT_REGION)
    # How long a public file's download address works (downloads of files
    # anyone may read redirect to the store itself).
    STORAGE_S3_PRESIGN_SECONDS = _env_int("STORAGE_S3_PRESIGN_SECONDS", 300)
    # Where e-mailed links point. Unset (development), the port served: `make
    # run` passes PORT to the web app and the worker alike.
    BASE_URL = os.environ.get("BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or 5000}"

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "scrutiny@localhost")
    MAIL_USE_STARTTLS = os.environ.get("MAIL_USE_STARTTLS", "") in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_TIMEOUT = 30
    # Seconds between attempts when the mail server refuses or is down.
    MAIL_RETRY_INTERVALS = [60, 300, 1800]

    # Invitations and the witness portal.
    PORTAL_LINK_GRACE_DAYS = _env_int("PORTAL_LINK_GRACE_DAYS", 14)  # links live until deadline + this
    # What witnesses confirm before submitting (Markdown; {council_name}, {retention} and {team_email} are
    # filled in); empty: the text in scrutiny/portal/notice.py. Retention is said in words.
    PORTAL_PRIVACY_NOTICE = os.environ.get("PORTAL_PRIVACY_NOTICE", "")
    EVIDENCE_RETENTION = os.environ.get("EVIDENCE_RETENTION", "six years after the review ends")
    REMINDER_DAYS_BEFORE = _env_int("REMINDER_DAYS_BEFORE", 3)
    REMINDER_HOUR = 9  # local time of day reminders go out
    # Uploads: per file and per request.
    MAX_UPLOAD_BYTES = _env_int("MAX_UPLOAD_MB", 50) * 1024 * 1024
    MAX_CONTENT_LENGTH = _env_int("MAX_REQUEST_MB", 200) * 1024 * 1024
    MAX_FILES_PER_SUBMISSION = 20
    # Drafts a witness may have open (not yet submitted) for one invitation;
    # "Add evidence" reopens an untouched draft rather than making another.
    MAX_DRAFTS_PER_INVITATION = 10

    # Community engagement: surveys, discussions, one-to-one conversations.
    # Any count of respondents below this shows as "fewer than N", on every
    # page, chart, export and PDF (small-number suppression).
    SMALL_NUMBER_THRESHOLD = _env_int("SMALL_NUMBER_THRESHOLD", 5)
    # Residents' names and contact details are erased this many days after
    # their discussion (or after their one-to-one request is closed).
    RESIDENT_DATA_RETENTION_DAYS = _env_int("RESIDENT_DATA_RETENTION_DAYS", 90)
    # Residents' forms (discussion sign-up, "speak to us one-to-one"): each
    # client may send this many that are taken, besides the honeypot.
    COMMUNITY_FORM_LIMITS = os.environ.get("COMMUNITY_FORM_LIMITS", "10 per hour")
    # The regulator a respondent may complain to, named in every privacy notice.
    DATA_PROTECTION_REGULATOR = os.environ.get("DATA_PROTECTION_REGULATOR", "Information Commissioner's Office")
    DATA_PROTECTION_REGULATOR_URL = os.environ.get("DATA_PROTECTION_REGULATOR_URL", "https://ico.org.uk/make-a-complaint/")
    # The public survey form and its withdrawal page: each client may send
    # this many responses that are taken (besides the honeypot), and this many
    # withdrawal attempts, each page counted on its own.
    SURVEY_FORM_LIMITS = os.environ.get("SURVEY_FORM_LIMITS", "10 per hour")

    # Compiled documents.
    PDF_VARIANT = "pdf/ua-1"  # tagged, accessible PDF
    DOCUMENT_JOB_TIMEOUT = _env_int("DOCUMENT_JOB_TIMEOUT", 1800)  # seconds before a build is stopped
    DOCUMENT_RETRY_INTERVALS = [30, 120]  # after a transient failure (database or storage hiccup)
    # Workers report on a running job this often; a build not heard from for
    # the grace period is taken as abandoned (its worker was killed).
    WORKER_MONITORING_INTERVAL = 30
    DOCUMENT_HEARTBEAT_GRACE = _env_int("DOCUMENT_HEARTBEAT_GRACE", 120)
    # A running build writes its own heartbeat to the database this often.
    DOCUMENT_HEARTBEAT_SECONDS = _env_int("DOCUMENT_HEARTBEAT_SECONDS", 10)
    # Each worker sweeps this often: jobs Redis lost (down, or restarted
    # empty) are enqueued again from the database, builds lost marked failed.
    WORKER_SWEEP_SECONDS = _env_int("WORKER_SWEEP_SECONDS", 60)
    # An unsent e-mail younger than this may still be waiting for its own
    # request's enqueue; a sweep leaves it alone.
    OUTBOX_LOST_GRACE_SECONDS = _env_int("OUTBOX_LOST_GRACE_SECONDS", 60)
    # When addressees must respond, by kind of organisation; kinds not listed
    # have no statutory duty and an officer sets the date.
    RESPONSE_DUE_RULES = {
        "council_executive": {"months": 2, "basis": "Local Government Act 2000, section 9FE"},
        "nhs_body": {"days": 28, "basis": "Local Authority (Public Health, Health and Wellbeing Boards and "
                                          "Health Scrutiny) Regulations 2013, regulation 22"},
    }
    # Monitoring. The group's judgement on each recommendation at a review,
    # on the council's own scale (JSON in the environment): each value's key,
    # its label, what it means (shown beside it), its GOV.UK tag colour,
    # whether it counts as achieved (all achieved: the group may close) and
    # whether it needs a reason. Order: best first.
    JUDGEMENT_SCALE = _env_json("JUDGEMENT_SCALE", [
        {"value": "green", "label": "Green", "meaning": "Achieved", "colour": "green", "achieved": True},
        {"value": "amber", "label": "Amber", "meaning": "Progress acceptable: keep monitoring",
         "colour": "yellow"},
        {"value": "red", "label": "Red", "meaning": "Progress unacceptable", "colour": "red"},
        {"value": "paused", "label": "Paused", "meaning": "Monitoring paused for a stated reason",
         "colour": "grey", "needs_reason": True},
    ])
    # Recommendations' references start with the municipal year their letters
    # went in ("2026-27"); most councils' year starts at the annual meeting in May.
    MUNICIPAL_YEAR_START_MONTH = _env_int("MUNICIPAL_YEAR_START_MONTH", 5)
    # Reviews the group is offered when its letters go (months after sending).
    REVIEW_AFTER_MONTHS = [6, 12]

    # An Office file may not unpack to more than this (zip bombs).
    MAX_INFLATED_BYTES = _env_int("MAX_INFLATED_MB", 500) * 1024 * 1024
    MAX_ZIP_ENTRIES = 2000

    # werkzeug's scrypt (N=2^15, r=8, p=1), named so stored hashes do not
    # change meaning if werkzeug's default moves.
    PASSWORD_HASH_METHOD = "scrypt:32768:8:1"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # The witness portal's own cookie: a random id of a server-side session
    # (scrutiny.portal.access), never Flask's staff session cookie.
    PORTAL_COOKIE_NAME = "portal"
    PORTAL_COOKIE_SECURE = False
    # A portal session unused this long ends (it ends anyway with its links).
    PORTAL_IDLE_MINUTES = _env_int("PORTAL_IDLE_MINUTES", 120)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Portal pages send no Referer at all (so no link token can leak), which
    # Flask-WTF's HTTPS Referer check would refuse; the form token and
    # SameSite cookies still guard every form.
    WTF_CSRF_SSL_STRICT = False

    # Failed sign-ins only count against these (see auth.sign_in_limits): per account from browsers
    # that have not signed in to it before, per browser that has, and per client address.
    SIGN_IN_LIMITS = os.environ.get("SIGN_IN_LIMITS", "5 per 15 minutes")
    SIGN_IN_CLIENT_LIMITS = os.environ.get("SIGN_IN_CLIENT_LIMITS", "50 per 15 minutes")
    # A browser that signed in to an account is known to it for this long (a signed cookie), so
    # someone else's guessing cannot lock its owner out.
    SIGN_IN_KNOWN_BROWSER_DAYS = _env_int("SIGN_IN_KNOWN_BROWSER_DAYS", 180)
    # How many reverse proxies stand in front of the app and add X-Forwarded-For and
    # X-Forwarded-Proto (0: none, the client connects directly). Limits count per client
    # address; trusting too few makes every client share the proxy's, too many lets clients
    # choose their own.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # "Forgotten your password?": links live this long; requests per address and per client.
    PASSWORD_RESET_MINUTES = _env_int("PASSWORD_RESET_MINUTES", 60)
    PASSWORD_RESET_LIMITS = os.environ.get("PASSWORD_RESET_LIMITS", "3 per hour")
    PASSWORD_RESET_CLIENT_LIMITS = os.environ.get("PASSWORD_RESET_CLIENT_LIMITS", "20 per hour")
    # Following a published review by e-mail: requests per address (and review) and per client;
    # an address not confirmed within this many days is forgotten.
    FOLLOW_LIMITS = os.environ.get("FOLLOW_LIMITS", "3 per hour")
    FOLLOW_CLIENT_LIMITS = os.environ.get("FOLLOW_CLIENT_LIMITS", "20 per hour")
    FOLLOW_CONFIRM_DAYS = _env_int("FOLLOW_CONFIRM_DAYS", 7)
    # The public index of published reviews and its feeds.
    PUBLIC_PAGE_SIZE = 50
    # Seconds a rendered public page is kept in Redis for the next reader (0: off);
    # publishing or withdrawing drops a review's pages at once.
    PUBLIC_CACHE_SECONDS = _env_int("PUBLIC_CACHE_SECONDS", 30)
    PUBLIC_MAX_AGE = _env_int("PUBLIC_MAX_AGE", 300)  # seconds a browser or proxy may keep a public page
    # Languages of the public pages (scrutiny/i18n), English first: each but English is
    # offered at /<code>/reviews/... with a language switcher. Codes separated by spaces or commas.
    LANGUAGES = [c for c in re.split(r"[\s,]+", os.environ.get("LANGUAGES", "en ar bn gu pl pa ro so ur")) if c]
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL
    # Redis down: limits go on counting in each process's memory rather than stopping.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True  # and no storage error ever locks everyone out
    RATELIMIT_HEADERS_ENABLED = True

    @property
    def SECRET_KEY(self) -> str:  # noqa: N802 - Flask reads this name
        return os.environ.get("SECRET_KEY") or _development_secret_key()


class DevelopmentConfig(Config):
    SCRUTINY_ENV = "development"


class TestingConfig(Config):
    SCRUTINY_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    # Still scrypt, at a cost that keeps hundreds of sign-ins in the suite quick.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    MAIL_RETRY_INTERVALS = [0, 0]  # retry at once: the test worker runs in burst mode
    DOCUMENT_RETRY_INTERVALS = [0]
    WORKER_MONITORING_INTERVAL = 1
    DOCUMENT_HEARTBEAT_GRACE = 5
    DOCUMENT_HEARTBEAT_SECONDS = 1
    MAIL_TIMEOUT = 5
    # Tests change what public pages show behind the services' backs; the
    # page cache's own test turns it on.
    PUBLIC_CACHE_SECONDS = 0


class ProductionConfig(Config):
    SCRUTINY_ENV = "production"
    # "__Host-": the browser takes these cookies only from this host over
    # HTTPS, for the whole site, so no sibling subdomain can set or shadow them.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    REMEMBER_COOKIE_SECURE = True
    PORTAL_COOKIE_NAME = "__Host-portal"
    PORTAL_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    SCRUTINY_TEAM_EMAIL = os.environ.get("SCRUTINY_TEAM_EMAIL", "")
    SCRUTINY_TEAM_PHONE = os.environ.get("SCRUTINY_TEAM_PHONE", "")

    @property
    def SECRET_KEY(self) -> str:  # noqa: N802
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise ConfigError(
                "SECRET_KEY must be set (at least 32 characters) when SCRUTINY_ENV=production"
            )
        return key


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for_environment() -> type[Config]:
    name = os.environ.get("SCRUTINY_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(
            f"SCRUTINY_ENV must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from exc
