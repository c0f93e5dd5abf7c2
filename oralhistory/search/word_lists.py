"""The word lists the analysis reads: the Arabic article as transliterations write it, the
prefixes and clitics written onto Arabic words, English words that spellings of names
coincide with, the generic words of place names, and the English stop words.
"""

# The Arabic article and its assimilated forms, as transliterations write them apart.
ARTICLES = frozenset(
    [
        "al",
        "el",
        "il",
        "ul",
        "a",
        "e",
        "ad",
        "ed",
        "ash",
        "esh",
        "as",
        "es",
        "at",
        "et",
        "az",
        "ez",
        "an",
        "en",
        "ar",
        "er",
        "ath",
        "adh",
        "ath",
        "dh",
        "l",
    ]
)
ARTICLE_PREFIXES = ("al", "el")
ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")
# Conjunctions and prepositions written onto the word that follows (and, so, in, for, like).
ARABIC_PROCLITICS = ("و", "ف", "ب", "ل", "ك")
# English words that some spellings of names coincide with; never rewrite them.
ENGLISH_WORDS = frozenset(
    [
        "said",
        "tall",
        "bab",
        "ain",
        "tal",
        "sham",
        "ash",
        "as",
        "at",
        "an",
        "in",
        "on",
        "of",
        "the",
        "and",
        "to",
    ]
)

# Words of place names that describe rather than name; translations move them about.
GENERIC_WORDS = frozenset(
    [
        "east",
        "eastern",
        "west",
        "western",
        "north",
        "northern",
        "south",
        "southern",
        "city",
        "countryside",
        "rural",
        "governorate",
        "province",
        "district",
        "neighbourhood",
        "neighborhood",
        "besieged",
        "old",
        "new",
        "area",
        "bridge",
        "brigade",
        "camp",
        "crossing",
        "housing",
        "junction",
        "market",
        "quarter",
        "road",
        "square",
        "street",
        "town",
        "village",
        "شرق",
        "غرب",
        "شمال",
        "جنوب",
        "ريف",
        "محافظه",
        "مدينه",
        "حي",
    ]
)

ENGLISH_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "he",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "was",
        "were",
        "will",
        "with",
        "i",
        "we",
        "you",
        "they",
        "our",
        "us",
        "me",
        "my",
    ]
)
