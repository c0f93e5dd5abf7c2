"""Signing in and out."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from ... import problems
from ...errors import AccountError, SignInRefused
from ...services import accounts
from .. import auth, db
from ..i18n import translated

bp = Blueprint("account", __name__)


# A path on this site: one slash, then no second slash or backslash, and no white space or
# control character (browsers drop tabs and line breaks from addresses, so "/\t/host" would
# become "//host", another site).
LOCAL_PATH_RE = re.compile(r"/(?![/\\])[^\s\\\x00-\x1f\x7f]*")


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: `next` never leads elsewhere."""
    return target if target and LOCAL_PATH_RE.fullmatch(target) else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in page (GET) and sign-in (POST), back to `next` when it is a local address."""
    next_url = local_path(request.values.get("next"))
    if request.method == "GET":
        return render_template("account/login.html", next_url=next_url, username="", error=None)
    username = (request.form.get("username") or "").strip()
    password = request.form.get("password") or ""
    status = 400
    if not username or not password:
        error = gettext("Give your username and your password.")
    else:
        try:
            archivist = accounts.sign_in(
                db.session(), username, password, request.remote_addr, auth.sign_in_limits()
            )
        except SignInRefused as refused:
            error, status = translated(str(refused)), 429 if refused.throttled else 401
        else:
            auth.start_session(archivist)
            flash(gettext("Signed in as %(name)s.", name=archivist.username))
            return redirect(next_url or url_for("archive.index"))
    page = render_template("account/login.html", next_url=next_url, username=username, error=error)
    return page, status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    # Signing out changes the session, so it takes a POST with the CSRF token; the GET page
    # holds that form, for a reader without the navigation's button.
    """The sign-out page (GET, holding the form) and signing out (POST)."""
    if request.method == "GET":
        return render_template("account/logout.html")
    auth.end_session()
    flash(gettext("You are signed out."))
    return redirect(url_for("pages.home"))


@bp.post("/logout/everywhere")
def logout_everywhere():
    """End every session of the signed-in archivist, in this browser and all others."""
    viewer = auth.current_viewer()
    if viewer.is_archivist:
        archivist = accounts.archivist_named(db.session(), viewer.archivist)
        ended = accounts.end_all_sessions(db.session(), archivist.id)
        auth.end_session()
        flash(
            ngettext(
                "You are signed out everywhere (%(num)d session ended).",
                "You are signed out everywhere (%(num)d sessions ended).",
                ended,
            )
        )
    return redirect(url_for("pages.home"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """A new password for the signed-in archivist; every session ends, and this browser
    gets a fresh one."""
    viewer = auth.current_viewer()
    if not viewer.is_archivist:
        return redirect(url_for(".login", next=url_for(".change_password")))
    if request.method == "GET":
        return render_template("account/password.html", error=None)
    current = request.form.get("current_password") or ""
    new, again = request.form.get("new_password") or "", request.form.get("new_password_again")
    session = db.session()
    error = None
    if accounts.check_password(session, viewer.archivist, current) is None:
        error = gettext("The current password is not right.")
    elif new != again:
        error = gettext("The two new passwords are not the same.")
    else:
        try:
            archivist = accounts.set_password(session, viewer.archivist, new)
        except AccountError as problem:
            error = translated(problems.Sentence(problem.args[0]))
    if error:
        return render_template("account/password.html", error=error), 400
    auth.start_session(archivist)
    flash(gettext("Your password is changed; every other session of yours has ended."))
    return redirect(url_for("archive.index"))
