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
# What share of the shorter paragraph's words the other must hold to be compared at all.
SHARED_WORDS = 0.5
# How many old paragraphs a changed one is compared with, at most: a correction changes a
# few paragraphs in place, and a text rewritten whole should not take minutes to save.
LOOK_AHEAD = 20


def _alike(a: list[str], b: list[str], threshold: float) -> bool:
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # the quick ratios are upper bounds of the ratio, cheap enough to try first
    return (
        matcher.real_quick_ratio() >= threshold
        and matcher.quick_ratio() >= threshold
        and matcher.ratio() >= threshold
    )


def same_passage(old: str, new: str) -> bool:
    """Whether `new` is `old` corrected, or its first part after a split (or `old` the first
    part of `new` after a join). Paragraphs are compared word by word."""
    old_words, new_words = old.split(), new.split()
    # Most of the shorter one's words are in the other, in a correction as in a split: a
    # cheap test that spares the slow comparison most pairs of unrelated paragraphs.
    shared = set(old_words) & set(new_words)
    if len(shared) < SHARED_WORDS * min(len(set(old_words)), len(set(new_words))):
        return False
    if _alike(old_words, new_words, NEAR_EQUAL):
        return True
    shorter, longer = sorted((old_words, new_words), key=len)
    return bool(shorter) and _alike(longer[: len(shorter)], shorter, PART_OF)


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
                for i in range(free, min(i2, free + LOOK_AHEAD)):
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
