"""Each normalisation rule: a name written one way finds passages that write it another way."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from whoosh.analysis.analyzers import CompositeAnalyzer

from oralhistory.record.models import Passage
from oralhistory.search.analysis import (
    name_tokens,
    normalise_arabic,
    text_analyzer,
    vocabulary_analyzer,
)
from oralhistory.search.quick import QuickAnalyzer
from oralhistory.search.spellings import spelling_table
from oralhistory.search.text_words import vocabulary_words
from oralhistory.services import index_documents
from oralhistory.web import db, search_app
from tests.conftest import import_testimony, run_cli
from tests.helpers import hits


@pytest.fixture
def analyse(app):
    """The analyzer of the archive's index, with the gazetteer of `transcripts/`."""
    with app.app_context():
        analyzer = text_analyzer(spelling_table(index_documents.spellings(db.session())))
    return lambda text: [token.text for token in analyzer(text)]


# --- case and accents ----------------------------------------------------------------------


def test_case_and_accents_are_folded():
    assert name_tokens("TÜRKIYE Türkiye ÉCOLE Alep") == ["turkiye", "turkiye", "ecole", "alep"]


def test_a_query_in_capitals_with_accents_finds_the_passage(client):
    assert hits(client, "TÜRKIYE")[0] == "muhammad-haj-qasim#p-2"


# --- the Arabic article written apart ------------------------------------------------------


@pytest.mark.parametrize("article", ["al", "el", "a", "ad", "ash", "as", "at", "az", "an", "ar"])
def test_the_article_written_apart_is_ignored(article):
    assert name_tokens(f"{article}-Halabi") == ["halabi"]
    assert name_tokens(f"{article.capitalize()} Halabi") == ["halabi"]


@pytest.mark.parametrize("spelling", ["al-Halabi", "Halabi", "el-Halabi", "a-Halabi"])
def test_every_article_form_of_a_name_finds_the_narrators(client, spelling):
    found = hits(client, spelling)
    assert {h.split("#")[0] for h in found} == {"asmar-al-halabi", "omar-al-halabi"}


# --- the article written attached ----------------------------------------------------------


@pytest.mark.parametrize(
    ("attached", "bare"),
    [
        ("Alhalabi", "halabi"),
        ("Elhalabi", "halabi"),
        ("Alindharat", "indharat"),
        ("Assalheen", "salheen"),
        ("Arrashideen", "rashideen"),
        ("Ashshaar", "shaar"),
    ],
)
def test_the_article_written_attached_is_read_without(analyse, attached, bare):
    assert analyse(attached) == [bare]


def test_an_attached_article_is_kept_on_a_word_the_gazetteer_does_not_know(analyse):
    # "also" is not "al" + "so", "element" not "el" + "ement"
    assert analyse("also element Alan") == ["also", "element", "alan"]


@pytest.mark.parametrize(
    ("arabic", "bare"),
    [("الحلبي", "halabi"), ("والحلبي", "halabi"), ("بالحلبي", "halabi"), ("للحلبي", "halabi")],
)
def test_the_arabic_article_and_its_conjunctions_are_ignored(analyse, arabic, bare):
    assert analyse(arabic) == [bare]


@pytest.mark.parametrize("arabic", ["وحلب", "بحلب", "لحلب", "فحلب", "كحلب"])
def test_a_conjunction_or_preposition_written_onto_a_known_name_is_read_without(analyse, arabic):
    assert analyse(arabic) == ["aleppo"]


def test_a_word_that_merely_begins_with_waw_is_left_whole(analyse):
    # وطن (homeland) is not و + طن
    assert analyse("وطن") == ["وطن"]


# --- Arabic script --------------------------------------------------------------------------


@pytest.mark.parametrize("alef", ["أ", "إ", "آ", "ٱ"])
def test_every_alef_form_is_plain_alef(alef):
    assert normalise_arabic(f"{alef}دلب") == "ادلب"


def test_taa_marbuta_is_read_as_haa():
    assert normalise_arabic("حيدرية") == normalise_arabic("حيدريه") == "حيدريه"


def test_alef_maqsura_is_read_as_yaa():
    assert normalise_arabic("مصطفى") == "مصطفي"


def test_diacritics_are_removed():
    assert normalise_arabic("حَلَبُ") == "حلب"


def test_tatweel_is_removed():
    assert normalise_arabic("حـلـــب") == "حلب"


@pytest.mark.parametrize("query", ["إدلب", "ادلب", "إدْلِب", "إدلـب", "Idleb", "Edlib"])
def test_every_arabic_and_latin_form_of_idlib_finds_the_same_passages(client, query):
    assert set(hits(client, query)) == set(hits(client, "Idlib")) != set()


# --- the gazetteer, at index time and at query time -----------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("al-Indharat", "muhammad-qadsi#p-2"),
        ("Enzharat", "muhammad-qadsi#p-2"),
        ("Inzarat", "muhammad-qadsi#p-2"),
        ("الإنذارات", "muhammad-qadsi#p-2"),
        ("Jarabulus", "asmar-al-halabi#p-1"),
        ("حلب", None),
    ],
)
def test_a_place_in_any_spelling_finds_the_passage_that_names_it(client, query, first):
    found = hits(client, query)
    assert found
    if first:
        assert found[0] == first


@pytest.mark.parametrize(
    ("written", "searched"),
    [
        ("Hanano", "Hananu"),
        ("Hananu", "Hanano"),
        ("Hajj", "Haj"),
        ("Haj", "Hajj"),
        ("Mohamed", "Muhammad"),
        ("Muhammad", "Mohammed"),
        ("Mohammed", "Mohamed"),
        ("al-Halabi", "الحلبي"),
        ("الحلبي", "el-Halabi"),
        ("حلب", "Aleppo"),
        ("Aleppo", "حلب"),
        ("Sheikh Saeed", "Sheikh Said"),
        ("Abd Allah", "Abdullah"),
        ("حزب الله", "Hezbollah"),
        ("Ghazi Antab", "Gaziantep"),
    ],
)
def test_a_passage_is_found_by_a_spelling_it_does_not_use(app, client, tmp_path, written, searched):
    narrator = import_testimony(app, tmp_path, "spelling", f"We spoke of {written} every night.")
    assert f"{narrator}#p-1" in hits(client, searched)


def test_a_spelling_added_to_names_yaml_is_taken_up_by_init(app, client, tmp_path):
    # A spelling that no key bridges: one word for a name of two.
    narrator = import_testimony(app, tmp_path, "gazetteer", "The road to Kafr Nabl was closed.")
    assert hits(client, "Kafranbel") == []
    transcripts = tmp_path / "transcripts"
    transcripts.mkdir()
    (transcripts / "names.yaml").write_text(
        "names:\n  - name: Kafranbel\n    variants: [Kafr Nabl]\n", encoding="utf-8"
    )
    app.config["TRANSCRIPTS_DIR"] = str(transcripts)
    # the record holds the names (`name_spellings`): `init` loads them, the index follows
    assert run_cli(app, "init").exit_code == 0
    assert hits(client, "Kafranbel") == [f"{narrator}#p-1"]


# --- words that are both names and English ---------------------------------------------------


def test_an_english_word_that_is_also_a_spelling_of_a_name_is_not_rewritten(analyse):
    assert analyse("he said") == ["said"]
    assert analyse("Sheikh Said") == ["sheikh", "saeed"]
    assert analyse("a tall building") == ["tall", "build"]


def test_saeed_does_not_find_the_english_word_said(app, client, tmp_path):
    narrator = import_testimony(app, tmp_path, "english", "He said nothing about the siege.")
    assert f"{narrator}#p-1" not in hits(client, "Saeed")
    assert f"{narrator}#p-1" in hits(client, "said")


def test_an_unquoted_name_of_several_words_is_read_as_that_name(app, client, tmp_path):
    narrator = import_testimony(app, tmp_path, "several", "Shelling reached Sheikh Saeed at dawn.")
    assert hits(client, "Sheikh Said shelling") == [f"{narrator}#p-1"]


# --- apostrophes ------------------------------------------------------------------------------


def test_straight_and_curly_apostrophes_are_the_same(client):
    assert hits(client, "don't know") == hits(client, "don’t know") == ["muhammad-qadsi#p-4"]


def test_the_possessive_s_is_ignored(analyse):
    assert analyse("Syria’s Syria's") == ["syria", "syria"]


def test_the_spelling_filter_keeps_only_its_table_when_stored_with_an_index():
    import pickle

    from oralhistory.search.analysis import SpellingFilter

    spelling = SpellingFilter({"haleb": "aleppo", "sheikh said": "sheikh saeed"})
    assert spelling.canonical("alhaleb") == "aleppo"  # fills its cache of known words
    assert pickle.loads(pickle.dumps(spelling)).__dict__.keys() == spelling.__dict__.keys()
    assert set(spelling.__getstate__()) == {"table"}
    copy = pickle.loads(pickle.dumps(spelling))
    assert copy == spelling and copy.canonical("haleb") == "aleppo"


# --- the quick analysis used for snippets -------------------------------------------------

_WORDS_TO_MIX = [
    "Sheikh", "Said", "Saeed", "east", "Aleppo", "al-Halabi", "Al", "the", "of", "a", "I",
    "don’t", "children's", "Bab", "al-Nayrab", "Hanano", "حلب", "وحلب", "الشيخ", "سعيد",
    "Türkiye", "Idleb", "Idlib", "province", "bombing", "bombs", "ran", "running", "Qasim",
    "west", "western", "Aleppo.", "—", "2016", "x", "'", "Jarablus", "Zabadani", "al-Sakhour",
]  # fmt: skip


def _tokens(stream):
    kept = ("text", "startchar", "endchar", "stopped", "pos", "boost")
    return [tuple(getattr(t, name, None) for name in kept) for t in stream]


# as the index, a query, and marking call an analyzer
_CALLS = [
    {"positions": True, "mode": "index"},
    {"positions": True, "boosts": True, "mode": "index"},
    {"positions": True, "chars": True, "boosts": True, "mode": "index"},
    {"chars": True},
    {"mode": "query"},
    {"positions": True, "chars": True, "mode": "index", "removestops": False},
]


@pytest.fixture
def analyzers(app):
    """The index's quick analyzers (of words, of name keys) and the vocabulary's made quick,
    each beside its plain chain."""
    with app.app_context():
        schema = search_app.archive_index().searcher().schema
        texts = list(db.session().scalars(select(Passage.text)))
    quick = [schema["text"].analyzer, schema["name_keys"].analyzer]
    quick.append(QuickAnalyzer(*vocabulary_analyzer().items))
    assert all(isinstance(analyzer, QuickAnalyzer) for analyzer in quick)
    return [(analyzer, CompositeAnalyzer(*analyzer.items)) for analyzer in quick], texts


def _same_tokens(analyzers, text):
    for quick, plain in analyzers:
        for options in _CALLS:
            assert _tokens(quick(text, **options)) == _tokens(plain(text, **options)), options
        # the words and characters a snippet marks, without a stream of tokens
        marking = plain(text, positions=True, chars=True, mode="index", removestops=False)
        assert quick.spans(text) == [(t.text, t.startchar, t.endchar) for t in marking]
        # the words and positions a field of them is indexed with (`pool.field_index`)
        indexing = [(t.text, t.pos) for t in plain(text, positions=True, boosts=True, mode="index")]
        assert quick.indexed(text) == (indexing if quick._fused or quick._keyed else None)


def test_quick_analysis_gives_the_chains_own_tokens_for_every_passage_of_the_collection(
    analyzers,
):
    pairs, texts = analyzers
    assert texts
    for text in texts:
        _same_tokens(pairs, text)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_WORDS_TO_MIX), max_size=30), st.sampled_from([" ", ", ", ". "]))
@example(["went", "to", "Sheikh", "Said", "Sheikh", "Sheikh", "Saeed", "Sheikh"], " ")
def test_quick_analysis_gives_the_chains_own_tokens_for_any_mix_of_words(analyzers, words, gap):
    """Spellings of several words, stop words, articles and Arabic, in any order."""
    _same_tokens(analyzers[0], gap.join(words))


def _vocabulary(text):
    return {token.text for token in vocabulary_analyzer()(text, mode="index")}


def test_the_did_you_mean_words_of_each_passage_are_the_vocabulary_analyzers_own(analyzers):
    # read in parts (name, passage, note) and from the normalised words kept per text
    _, texts = analyzers
    assert texts
    for text in texts:
        assert vocabulary_words(("Omar al-Halabi", text, "")) == _vocabulary(
            f"Omar al-Halabi {text}"
        )


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_WORDS_TO_MIX), max_size=30), st.sampled_from([" ", ", ", ". "]))
def test_the_did_you_mean_words_of_any_mix_of_words_are_the_vocabulary_analyzers_own(words, gap):
    half = len(words) // 2
    parts = (gap.join(words[:half]), gap.join(words[half:]))
    assert vocabulary_words(parts) == _vocabulary(" ".join(parts))
