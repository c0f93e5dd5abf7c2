"""Passage identifiers that never change: which corrected paragraph keeps which anchor.

Once a testimony is stored, a passage's anchor `p-N` is a promise to everyone who cited it.
When the text is corrected, old and new paragraphs are matched: a paragraph left as it was,
or corrected by a few words, or moved word for word, keeps its anchor; a paragraph split in two keeps its anchor in
its first part; two joined keep the first one's. Any other new paragraph gets the next
number never given; an old one left unmatched is removed, and its anchor still answers
(`RemovedPassage`).
"""

from __future__ import annotations

from difflib import SequenceMatcher

# How alike a corrected paragraph must be to the one it replaces to keep its anchor
# (SequenceMatcher's ratio: a few words changed in a paragraph is well above it).
NEAR_EQUAL = 0.6
# How alike the shorter of two paragraphs must be to the beginning of the longer for the
# one to be a part of the other (a split or a join).
PART_OF = 0.8


def same_passage(old: str, new: str) -> bool:
    """Whether `new` is `old` corrected, or its first part after a split (or `old` the first
    part of `new` after a join)."""
    if SequenceMatcher(None, old, new, autojunk=False).ratio() >= NEAR_EQUAL:
        return True
    shorter, longer = sorted((old, new), key=len)
    if not shorter.strip():
        return False
    beginning = longer[: len(shorter)]
    return SequenceMatcher(None, beginning, shorter, autojunk=False).ratio() >= PART_OF


def match_passages(old: list[str], new: list[str]) -> list[int | None]:
    """For each new paragraph, the index of the old paragraph whose anchor it keeps, or None
    for a paragraph that gets a new anchor. Each old paragraph is kept at most once, and
    the matches keep the order of the text."""
    kept: list[int | None] = [None] * len(new)
    opcodes = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for offset in range(i2 - i1):
                kept[j1 + offset] = i1 + offset
        elif tag == "replace":
            # Paragraphs changed in place: each new one takes the first old one still
            # free that it is a correction or a part of; those skipped were removed.
            free = i1
            for j in range(j1, j2):
                for i in range(free, i2):
                    if same_passage(old[i], new[j]):
                        kept[j], free = i, i + 1
                        break
    # A paragraph moved elsewhere in the text, word for word, keeps its anchor too.
    unmatched = {}
    for i in sorted(set(range(len(old))) - set(kept), reverse=True):
        unmatched[old[i]] = i
    for j, index in enumerate(kept):
        if index is None and new[j] in unmatched:
            kept[j] = unmatched.pop(new[j])
    return kept
