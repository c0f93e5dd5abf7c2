"""What is wrong with a value, kept as data until it is shown.

A rule (`validation`, the importer's field tables) says what is wrong as the end of a
sentence, a `messages.Message`: a code (its English catalogue entry) and the values that fill
it in. Where the problem was found is added as a value too, never by pasting English together,
so that each place words it for its reader: a file's problems name the field's path in
English for the command line ("'citation.date' must be ..."), and the archivist's form names
the field by its label, in the reader's language ("Date of publication must be ...").
"""

from __future__ import annotations

from typing import Any

from .messages import Message, _

# The codes whose meaning the form needs to tell apart.
AT = "'%(where)s' %(problem)s"
MISSING = "'%(key)s' is missing from '%(where)s'"


def at(where: str, problem: str) -> Message:
    """`problem` (the end of a sentence) said of the field at `where` ("citation.date")."""
    return Message(AT, where=where, problem=problem)


def missing(key: str, where: str) -> Message:
    """A required field `key` that the mapping at `where` does not hold."""
    return Message(MISSING, key=key, where=where)


def for_field(label: str, problem: Any) -> Message:
    """The problem said of a form's field, named by its `label` (a `Message` too): a
    sentence worded in the reader's language where it is shown (`i18n.translated`)."""
    if isinstance(problem, Message) and problem.msgid == MISSING:
        return _("%(field)s must be given.", field=label)
    if isinstance(problem, Message) and problem.msgid == AT:
        problem = problem.params["problem"]
    return _("%(field)s %(problem)s.", field=label, problem=problem)


class Sentence(Message):
    """A problem said as a sentence of its own: "Passage 3 is …." from "passage 3 is …";
    `i18n.translated` gives it its capital in the reader's language too."""

    def __new__(cls, problem: Any) -> Sentence:
        """`problem` as a sentence of its own: a capital first and a full stop at the end."""
        said = super().__new__(cls, "%(problem)s.", problem=problem)
        shown = Message.__str__(said)
        capital = super().__new__(cls, shown[:1].upper() + shown[1:])
        capital.msgid, capital.params = said.msgid, said.params
        return capital
