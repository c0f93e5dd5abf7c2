"""HTTP: thin views that parse the request, call a service, and render HTML or JSON."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from ... import search
from ...errors import BadParameter, Forbidden
from ...messages import Message, _
from ...record import outage
from ...record.refs import Ref
from ...services.records import NotFound, Withdrawn
from .. import db, index_follower
from ..i18n import translated
from . import urls
from .answers import as_sentence, discard_request_body, error_response
from .guards import wants_json


def without_key(args: dict, key: str) -> dict:
    """The query arguments less one filter, for a facet's "remove" link."""
    return {name: value for name, value in args.items() if name != key}


class _ArchiveJSON(DefaultJSONProvider):
    """JSON in which the pages services name (`refs.Ref`) are their URLs."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, Ref):
            return urls.of(o)
        return DefaultJSONProvider.default(o)


class RecordNumber(IntegerConverter):
    """`<int:…>` in a route: a record's number, at most what every database's `integer`
    holds (PostgreSQL's is 32 bits), so that a larger one is not found rather than a 500."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_views(app: Flask) -> None:
    """Register every blueprint, the error handlers and the template helpers on `app`."""
    from . import (
        account,
        alignment,
        api,
        archive,
        archive_texts,
        citations,
        interop,
        kept_forms,
        language,
        links,
        listening,
        media,
        pages,
        reasons,
        recording_interop,
        review,
        text_languages,
        text_rule,
        timecodes,
    )

    # before the blueprints' own hooks, which may look up what the request names
    text_rule.init_app(app)

    # before any route is added: rules take their converters when they are added
    app.url_map.converters["int"] = RecordNumber
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(archive.bp)
    app.register_blueprint(archive.api_bp)
    app.register_blueprint(links.bp)
    app.register_blueprint(citations.bp)
    app.register_blueprint(citations.api_bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(review.api_bp)
    app.register_blueprint(language.bp)
    app.register_blueprint(interop.bp)
    media.init_app(app)
    timecodes.init_app(app)
    listening.init_app(app)
    recording_interop.init_app(app)
    alignment.init_app(app)
    reasons.init_app(app)
    kept_forms.init_app(app)
    text_languages.init_app(app)
    archive_texts.init_app(app)
    app.add_template_filter(without_key, "reject_key")
    app.add_template_global(urls, "urls")
    # Services name pages (`refs.Ref`); the URLs are made here, for JSON and HTML.
    provider = _ArchiveJSON(app)
    provider.ensure_ascii, provider.sort_keys = app.json.ensure_ascii, app.json.sort_keys
    app.json = provider
    app.jinja_env.finalize = urls.with_url

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        said = error.args[0] if error.args else ""
        english = str(said)[:1].upper() + str(said)[1:] + "."
        if isinstance(said, Message) and not wants_json():
            # in the reader's language where the catalogue has the sentence
            return error_response(404, english, shown=as_sentence(translated(said)))
        return error_response(404, english)

    @app.errorhandler(Withdrawn)
    def withdrawn(error: Withdrawn):
        # the tombstone: when, and nothing of the testimony itself
        if wants_json():
            message = (
                f"The testimony at this address was withdrawn from the archive on "
                f"{error.withdrawn_on.isoformat()}."
            )
            return jsonify(error=message, withdrawn=error.withdrawn_on.isoformat()), 410
        return render_template("reading/withdrawn.html", withdrawn_on=error.withdrawn_on), 410

    @app.errorhandler(BadParameter)
    def bad_parameter(error: BadParameter):
        said = error.args[0] if error.args else ""
        english = as_sentence(str(said))
        if isinstance(said, Message) and not wants_json():
            return error_response(400, english, shown=as_sentence(translated(said)))
        return error_response(400, english)

    @app.errorhandler(Forbidden)
    def forbidden(error: Forbidden):
        discard_request_body()
        return error_response(403, str(error))

    @app.errorhandler(search.QueryError)
    def bad_query(error: search.QueryError):
        # the reason in the reader's language where the catalogue has the sentence
        why = Message(str(error))
        return error_response(400, _("This search cannot be run: %(why)s.", why=why))

    @app.errorhandler(search.IndexMissing)
    @app.errorhandler(search.IndexDamaged)
    def index_unavailable(error: search.IndexMissing | search.IndexDamaged):
        # The record is whole; the index is derived from it: this process's index follower
        # rebuilds it while pages other than search go on working (a reader starts nothing).
        app.logger.error("search index unavailable: %s", error)
        index_follower.request_heal(current_app._get_current_object())
        response = make_response(
            error_response(
                503,
                _(
                    "Search is being rebuilt from the archive’s record and will be back in a "
                    "few moments; every other page works meanwhile. Please try again shortly."
                ),
            )
        )
        response.headers["Retry-After"] = "10"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if kept_forms.is_kept_form():  # what was typed comes back, not a bare refusal
            return kept_forms.kept_form(token_refused=True)
        return error_response(
            400,
            _(
                "The form could not be accepted: its security token is missing or has expired "
                "(%(why)s). Reload the page and send it again; nothing was changed.",
                # Flask-WTF's reasons are a few fixed sentences: the catalogue words them
                why=Message(str(error.description).rstrip(".")),
            ),
        )

    @app.errorhandler(413)
    def too_large(_error):
        discard_request_body()
        limit = app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
        transcript = app.config["MAX_TRANSCRIPT_BYTES"] / (1024 * 1024)
        return error_response(
            413,
            _(
                "The upload is too large: a request may be at most %(limit)s MB, and a "
                "transcript at most %(transcript)s MB. Nothing was stored.",
                limit=format(limit, "g"),
                transcript=format(transcript, "g"),
            ),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        messages = {
            404: _("There is nothing at this address."),
            405: _("This address does not accept that kind of request."),
        }
        return error_response(error.code or 500, messages.get(error.code, error.description))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        kind = outage.failure_kind(error)
        if kind is not None:
            return database_unavailable(kind, error)
        app.logger.exception("unexpected error")
        if db.commit_state() == "done":
            return error_response(
                500,
                _(
                    "Your change is saved, but something went wrong on our side afterwards; "
                    "there is no need to send it again."
                ),
            )
        if db.commit_state() == "sent":
            return error_response(
                500,
                _(
                    "Something went wrong on our side while your change was being saved: look "
                    "for it in the archive before sending it again."
                ),
            )
        return error_response(500, _("Something went wrong on our side; nothing was changed."))

    def database_unavailable(kind: str, error: Exception):
        # An outage or a read-only database is the world's doing, not a fault: 503, and
        # words that say what was and was not changed.
        app.logger.warning("the database is %s: %s", kind, error)
        message = outage.message(
            kind,
            writing=request.method not in ("GET", "HEAD", "OPTIONS"),
            commit_state=db.commit_state(),
            signing_in=request.endpoint == "account.login",
        )
        response = make_response(error_response(503, message))
        response.headers["Retry-After"] = "30"
        return response
