"""The archive's own exceptions, in one place: what a service raises and the web layer renders.

A service raises one of these with an English message (often a `messages.Message`, which the
page shows in the reader's language); the views turn it into a status and a page or a JSON
answer. The modules that raised them before still export them under the same names.

The search package keeps its own (`search.QueryError`, `IndexMissing`, `IndexDamaged`,
`IndexBusy`, `ArrayDamaged`): it imports nothing else of the archive.
"""

from __future__ import annotations

import datetime as dt

from .messages import Message


class NotFound(LookupError):
    """Nothing the viewer may see answers to this name."""


class Withdrawn(NotFound):
    """A public testimony was here and has been withdrawn: readers hold citations to it, so its
    addresses say so (410 Gone) and when, and nothing else of it (a withdrawal may protect a
    person)."""

    def __init__(self, testimony_id: int, withdrawn_on: dt.date):
        super().__init__(f"testimony {testimony_id} was withdrawn")
        self.testimony_id, self.withdrawn_on = testimony_id, withdrawn_on


class BadParameter(ValueError):
    """A parameter of a request (a page number, a record's number) that cannot be read; the
    message names the parameter and what it should be. Answered with a 400."""


class Forbidden(Exception):
    """A request refused before any view runs (one from another site); the message says why
    and that nothing was changed. Answered with a 403."""


class FormProblems(Exception):
    """A form that cannot be saved: a message for each wrong field ("" for the whole form)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class LinkError(ValueError):
    """An archivist's change to the links that cannot be made, said in plain words."""


class InvalidFile(Exception):
    """A file that cannot be stored, with every problem found in it."""

    def __init__(self, name: str, problems: list[tuple[int | None, str]]):
        self.name = name
        self.problems = problems
        super().__init__(self.report())

    def report(self) -> str:
        """Every problem on a line of its own, as `file:line: message`."""
        return "\n".join(
            f"{self.name}:{line}: {message}" if line else f"{self.name}: {message}"
            for line, message in self.problems
        )


class AlreadySent(Exception):
    """This form was stored before: `kind` and `testimony_id` say what it stored."""

    def __init__(self, kind: str, testimony_id: int | None):
        super().__init__(f"this form was stored already ({kind}, testimony {testimony_id})")
        self.kind, self.testimony_id = kind, testimony_id


class AccountError(ValueError):
    """An archivist's account that cannot be created or changed (a name taken, a short
    password); the message says which."""


class SignInRefused(Exception):
    """A sign-in that did not succeed, with a message that never says whether the name exists."""

    def __init__(self, message: str, throttled: bool = False):
        super().__init__(message)
        self.throttled = throttled


class TimesRefused(Exception):
    """The times were refused; `message` says why, for the archivist. Nothing was stored."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


class RecordingRefused(Exception):
    """The upload was refused; `message` says why, for the archivist. Nothing was stored."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


class NotMedia(ValueError):
    """The file is not audio or video the archive accepts; the message says what it is."""


class TooLarge(Exception):
    """The upload is larger than the archive takes. (Not a ValueError: the form parser
    would take that for a malformed body and quietly drop the whole form.)"""


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why, naming the file."""


class OAIError(Exception):
    """An OAI-PMH protocol error: `code` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
