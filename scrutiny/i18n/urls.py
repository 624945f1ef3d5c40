"""Language in the address: `/ar/reviews/<slug>` is the Arabic page,
`/reviews/<slug>` the English one, as it always was.

Why the address and not the browser's Accept-Language: public pages are
cached (the page cache in Redis, browsers, a council's CDN) by address, so
one address must always be one page. A reader can also share, bookmark and
be sent a link in their language.

How: a view marked `@in_languages` gets a second rule, `/<lang>` + its own
rule, under the *same endpoint*. Werkzeug builds an endpoint's URL from its
rule with the most arguments that it has values for, so
`url_for("public.review", slug=...)` builds `/ar/reviews/...` when given
`lang="ar"` and `/reviews/...` otherwise. `url_defaults` adds the current
language on a page in one, so every link on an Arabic page stays Arabic
with no template changed; `lang=None` asks for English. Registering the
blueprints a second time under `/<lang>` would have worked too, but gives
every page two endpoint names, and every `url_for`, permission table and
`request.endpoint` test would have to know both.

The `lang` converter matches only the council's `LANGUAGES`, so an unknown
code is a 404 like any unknown address; `/en/...` redirects to the address
without a prefix, so English has one address only. Files, PDFs and feeds
are the same in every language and have no prefixed address."""
from __future__ import annotations

import re

from flask import Flask, g, redirect, request, url_for
from werkzeug.routing import BaseConverter, Rule

from scrutiny.i18n.languages import KNOWN, default

ARGUMENT = "lang"


def in_languages(view):
    """Mark a public page as offered in every language of `LANGUAGES`."""
    view.in_languages = True
    return view


def _converter(codes) -> type[BaseConverter]:
    pattern = "|".join(re.escape(c) for c in codes)
    return type("LanguageConverter", (BaseConverter,), {"regex": f"(?:{pattern})"})


def language_endpoints(app: Flask) -> frozenset[str]:
    """The pages offered in several languages (none on the worker's app)."""
    return app.extensions.get("scrutiny_languages", frozenset())


def add_language_urls(app: Flask) -> None:
    """After every blueprint is registered: a `/<lang>` rule for each page
    marked `@in_languages`, and the hooks that read and keep the language."""
    app.url_map.converters["lang"] = _converter(app.config["LANGUAGES"])
    endpoints = set()
    for rule in list(app.url_map.iter_rules()):
        if getattr(app.view_functions.get(rule.endpoint), "in_languages", False):
            endpoints.add(rule.endpoint)
            app.url_map.add(Rule(f"/<lang:{ARGUMENT}>{rule.rule}", endpoint=rule.endpoint,
                                 methods=rule.methods, strict_slashes=rule.strict_slashes))
    app.extensions["scrutiny_languages"] = frozenset(endpoints)

    @app.url_value_preprocessor
    def take_language(endpoint, values):
        if values and endpoint in endpoints and ARGUMENT in values:
            g.language_in_address = values.pop(ARGUMENT)
            g.language = KNOWN[g.language_in_address]

    @app.before_request
    def english_has_one_address():
        if g.get("language_in_address") == default().code:
            return redirect(_here(None), 308)
        return None

    @app.url_defaults
    def keep_language(endpoint, values):
        language = g.get("language")
        if endpoint in endpoints and ARGUMENT not in values and language and language.code != default().code:
            values[ARGUMENT] = language.code


def _here(code: str | None) -> str:
    # The query kept, but never url_for's own options (_external, _scheme...) from it.
    values = {k: v for k, v in request.args.to_dict(flat=False).items() if not k.startswith("_")}
    values.update(request.view_args or {})
    values[ARGUMENT] = code
    return url_for(request.endpoint, **values)


def same_page_in(code: str) -> str:
    """This page's address in another language, its query kept."""
    return _here(None if code == default().code else code)
