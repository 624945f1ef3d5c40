"""Scrutiny: council scrutiny reviews from scoping to published report."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, redirect, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from config import INSTANCE_DIR, Config, config_for_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | Config | None = None, *, web: bool = True, **overrides: Any) -> Flask:
    """The app. ``web=False`` is the worker's: no pages (no views imported,
    no security headers, sessions or migrations), so a build's process
    carries little more than its data and WeasyPrint. Jobs therefore build
    links from BASE_URL, never with ``url_for``."""
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    config = config or config_for_environment()
    app.config.from_object(config() if isinstance(config, type) else config)
    # A council's own settings (organisation kinds, names) without code changes.
    app.config.from_pyfile("settings.py", silent=True)
    app.config.update(overrides)
    _check_config(app)

    from scrutiny import redaction

    redaction.install("werkzeug", "gunicorn.access", "gunicorn.error")
    redaction.install_on_root_handlers()
    _trust_proxies(app)
    from scrutiny.url_ids import RecordId

    app.url_map.converters["int"] = RecordId  # every <int:...> in every route, before any is added
    _init_templates(app)
    _init_extensions(app, web=web)
    _plug_in_documents()
    if web:
        _register_blueprints(app)
        from scrutiny import i18n

        i18n.add_language_urls(app)  # after every blueprint: it adds /<lang> to pages marked in_languages

    from scrutiny import cli, errors

    errors.register(app)
    cli.register(app)

    if not web:
        return app

    @app.get("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.sign_in"))
        if current_user.is_staff_officer:
            return redirect(url_for("groups.index"))
        return redirect(url_for("home.mine"))

    index.required_roles = ("public",)
    return app


def _plug_in_documents() -> None:
    """Documents built by features above the documents package (web and worker alike)."""
    from scrutiny.documents.models import DocumentKind
    from scrutiny.documents.services import plug_in
    from scrutiny.surveys import results_document

    plug_in(DocumentKind.SURVEY_RESULTS, results_document.kind)


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, the client is the one they name
    in X-Forwarded-For: limits and the health check's loopback test see it."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _check_config(app: Flask) -> None:
    proxies = app.config.get("TRUSTED_PROXIES")
    if not isinstance(proxies, int) or proxies < 0:
        from config import ConfigError

        raise ConfigError(f"TRUSTED_PROXIES must be 0 or more (how many proxies stand in front), not {proxies!r}")
    from scrutiny.accessibility.services import check_tested_on
    from scrutiny.branding import check_brand_colour, check_team_contact

    check_brand_colour(app.config["BRAND_COLOUR"])
    check_team_contact(app.config)
    check_tested_on(app.config)
    kinds = app.config["ORGANISATION_KINDS"]
    if not kinds or not all(isinstance(k, str) and isinstance(v, str) for k, v in kinds.items()):
        from config import ConfigError

        raise ConfigError("ORGANISATION_KINDS must map short keys to labels")
    _check_storage(app.config)
    from scrutiny.responses import scale

    with app.app_context():
        scale.values()  # a scale a council mistyped stops the start, not the first review


def _check_storage(settings) -> None:
    from config import ConfigError, parse_storage_url

    if parse_storage_url(settings.get("STORAGE_URL", "")) is None:
        return
    seconds = settings.get("STORAGE_S3_PRESIGN_SECONDS")
    # S3 refuses presigned URLs meant to live more than seven days.
    if not isinstance(seconds, int) or not 1 <= seconds <= 7 * 24 * 3600:
        raise ConfigError(f"STORAGE_S3_PRESIGN_SECONDS must be from 1 to 604800 (seven days), not {seconds!r}")
    endpoint = settings.get("STORAGE_S3_ENDPOINT_URL") or ""
    if endpoint and not re.fullmatch(r"https?://[^\s/?#]+/?", endpoint):
        raise ConfigError(f"STORAGE_S3_ENDPOINT_URL must be like https://minio.example:9000 (or empty for "
                          f"AWS), not {endpoint!r}")


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    from scrutiny import i18n

    i18n.init_app(app)  # gettext in templates, dates and numbers in the page's language

    from scrutiny.invitations.models import TAG_CLASSES as INVITATION_TAGS
    from scrutiny.markdown import render_markdown

    app.add_template_filter(render_markdown, "markdown")

    from scrutiny.clock import to_local

    @app.template_filter("date")
    def format_date(value, fmt: str = "%-d %B %Y") -> str:
        if not value:
            return ""
        if isinstance(value, datetime):  # stored naive, in UTC
            value = to_local(value)
        return value.strftime(fmt)

    from scrutiny.uploads import human_size

    app.add_template_filter(human_size, "filesize")
    from scrutiny.plurals import counted

    app.add_template_filter(counted, "counted")
    from scrutiny.tables import stacked

    app.add_template_filter(stacked, "stacked")
    from scrutiny.branding import team_contact

    app.add_template_global(team_contact, "team_contact")  # e-mails render outside requests too

    @app.context_processor
    def branding():
        return {
            "council_name": app.config["COUNCIL_NAME"],
            "service_name": app.config["SERVICE_NAME"],
            "brand_colour": app.config["BRAND_COLOUR"],
            "organisation_kinds": app.config["ORGANISATION_KINDS"],
            "status_tags": INVITATION_TAGS,
        }


def _init_extensions(app: Flask, *, web: bool = True) -> None:
    from scrutiny import jobs, models  # noqa: F401 - models registers every table
    from scrutiny.extensions import csrf, db, limiter, login_manager

    db.init_app(app)
    jobs.init_app(app)
    if not web:
        return
    from flask_migrate import Migrate  # Alembic: about 10 MiB a worker need not carry

    from scrutiny.evidence.search import include_object

    Migrate(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, include_object=include_object)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from scrutiny.auth.services import load_user

    login_manager.user_loader(load_user)

    @app.after_request
    def portal_sends_no_referrer(response):
        # Registered before Talisman so it runs after it and has the last word.
        if request.blueprint == "portal" or request.endpoint in ("auth.reset_password", "follow.confirm",
                                                                  "follow.unsubscribe", "take_part.manage"):
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    from scrutiny.caching import private_pages_are_not_stored

    app.after_request(private_pages_are_not_stored)

    # Security headers (CSP with per-request nonces, HSTS in production). One
    # Talisman per app, not a shared one: Talisman keeps its settings on
    # itself, so a second app (a test's production app) would otherwise
    # switch the first to forcing https.
    from flask_talisman import Talisman

    production = app.config["SCRUTINY_ENV"] == "production"
    Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        session_cookie_secure=production,
        frame_options="DENY",
        referrer_policy="same-origin",
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        content_security_policy_nonce_in=["script-src", "style-src"],
    )


def _register_blueprints(app: Flask) -> None:
    from scrutiny.audit.views import bp as audit_bp
    from scrutiny.accessibility.views import bp as accessibility_bp
    from scrutiny.auth.views import admin_bp, bp as auth_bp
    from scrutiny.branding.views import bp as branding_bp
    from scrutiny.community.public_views import bp as take_part_bp
    from scrutiny.community.views import bp as community_bp
    from scrutiny.documents.views import bp as documents_bp
    from scrutiny.evidence.views import bp as evidence_bp
    from scrutiny.findings.agreement_views import bp as agreement_bp
    from scrutiny.findings.views import bp as findings_bp
    from scrutiny.groups.views import bp as groups_bp
    from scrutiny.health.views import bp as health_bp
    from scrutiny.home.views import bp as home_bp
    from scrutiny.invitations.views import bp as invitations_bp
    from scrutiny.organisations.views import bp as organisations_bp
    from scrutiny.portal.views import bp as portal_bp
    from scrutiny.publication.follow_views import bp as follow_bp
    from scrutiny.publication.index_views import bp as reviews_index_bp
    from scrutiny.publication.clearance_views import bp as clearance_bp
    from scrutiny.publication.public_views import bp as public_bp
    from scrutiny.publication.views import bp as publication_bp
    from scrutiny.responses.tracker_views import bp as tracker_bp
    from scrutiny.responses.views import bp as responses_bp
    from scrutiny.responses import progress_views  # noqa: F401 - adds its routes to responses_bp
    from scrutiny.sessions.views import bp as sessions_bp
    from scrutiny.surveys.views import bp as surveys_bp
    from scrutiny.surveys import entry_views as _survey_entry  # noqa: F401 - adds its routes to surveys_bp
    from scrutiny.surveys.results_views import bp as survey_results_bp
    from scrutiny.surveys.public_views import bp as survey_public_bp
    # Routes added to those blueprints by modules of their own (each imports its blueprint).
    from scrutiny.portal import extension_views as _portal_more_time  # noqa: F401
    from scrutiny.responses import extension_views as _responses_more_time  # noqa: F401

    for bp in (auth_bp, admin_bp, groups_bp, organisations_bp, health_bp,
               invitations_bp, sessions_bp, evidence_bp, portal_bp, documents_bp, agreement_bp, branding_bp,
               home_bp, accessibility_bp):
        app.register_blueprint(bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(tracker_bp)
    app.register_blueprint(findings_bp)
    app.register_blueprint(reviews_index_bp)
    app.register_blueprint(follow_bp)
    app.register_blueprint(clearance_bp)
    app.register_blueprint(publication_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(community_bp)
    app.register_blueprint(take_part_bp)
    app.register_blueprint(survey_results_bp)
    app.register_blueprint(survey_public_bp)
