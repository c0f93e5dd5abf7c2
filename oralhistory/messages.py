"""Messages for people, written in English by services that know nothing of Flask, and
translated where they are shown.

`_("There is no narrator ‘%(slug)s’.", slug=slug)` is the English sentence (a `str`, so the
CLI, the JSON API, logs and tests read it as before) that also remembers its catalogue entry
and its values, so that a page can show it in the reader's language (`i18n.translated`).
"""

from __future__ import annotations

from typing import Any, Self


class Message(str):
    """An English message that can be shown in another language: `msgid` and `params`."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Self:
        """The message `msgid` with `params` filled in, keeping both to be worded again in another
        language."""
        message = super().__new__(cls, msgid % params if params else msgid)
        message.msgid, message.params = msgid, params
        return message


def _(msgid: str, **params: Any) -> Message:
    """Mark `msgid` for the catalogue and fill in `params` (`%(name)s`)."""
    return Message(msgid, **params)
