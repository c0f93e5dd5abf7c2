"""Synthetic collections for the benchmark: the same collection for the same size and seed.

A collection is narrators, testimonies and passages that can be written as testimony files
in the archive's own format (`GeneratedTestimony.file_text`). `load_through_importer` stores
them the way real files enter the record: `importer.parse_testimony` validates each file,
`split_passages` makes its passages and `importer.store_testimony` stores it. `load`, which
the benchmark uses, stores the same rows through the same functions in bulk (`bulk.py`), fast
enough for a million passages; a test checks that the two store the same rows.

The words: English from the collection's own transcripts and timeline, a list of common
words, and a long tail of made-up words (an archive's vocabulary keeps growing with its size),
drawn with a Zipf distribution; place names in every spelling `timeline.yaml` lists, personal
names in every spelling `names.yaml` lists. Passage lengths follow a log-normal distribution
(median about 60 words, a few of several hundred); testimonies have 3 to 80 passages (about
20 on average, so 100,000 passages is about 5,000 interviews). About 3% of testimonies are
restricted. Every 25th testimony, and every restricted one, carries a probe word found in one
passage and nowhere else, so that a test can check that exactly that passage is found, and by
whom.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from oralhistory import PROJECT_ROOT
from oralhistory.services.importer import (
    parse_testimony,
    read_timeline_file,
    store_testimony,
    store_timeline,
)
from oralhistory.services.linking import link_testimony

from .bulk import store_testimonies

SEED = 20161222
RESTRICTED_EVERY = 33
PROBE_EVERY = 25
TAIL_WORDS = 40_000


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _words(
    "the and of to a in i we was it that my they were for on with he had not but at from "
    "our us there all this me his be as their when them so by people one what no been out "
    "could who would there about after then into because even our still only where"
)

# Common words of testimonies about war and displacement, roughly from frequent to rare.
CONTENT_WORDS = _words(
    "family home city house children years day left time life back food water war night "
    "street hospital school bread people lived siege mother father brother friends killed "
    "bombs bombing destroyed buses evacuation neighbourhood winter fear hope returning "
    "regime fighters revolution martyrs wounded doctor doctors medicine electricity fuel "
    "shelter basement rubble checkpoint crossing convoy camp tents border countryside work "
    "job shop market mosque university students teacher lawyer journalist nurse volunteer "
    "wife husband son daughter sister uncle grandmother neighbours relatives remember "
    "memories remember years months weeks morning evening prayer god willing dream dreams "
    "return returned displaced refugee refugees arrested prison detained disappeared "
    "shelling airstrikes planes helicopters rockets mortar snipers tanks soldiers militias "
    "army besieged hunger hungry cold rain snow cars car roads bridge river trees olive "
    "garden field fields village villages town towns building buildings walls windows "
    "doors keys papers documents phone internet news television radio photographs "
    "videos interview story stories truth justice freedom dignity pain sadness grief "
    "tears smile laugh children's games football toys books library lessons exams "
    "graduated studied worked farmer farming harvest wheat flour bakery baker kitchen "
    "cooking meal meals rice lentils sugar tea coffee cigarettes money salary prices "
    "expensive cheap sold bought rent owner owners apartment neighbourhoods districts "
    "ambulance paramedics civil defence rescue dust smoke fire burned burning ruins "
    "collapsed survived survivors injured injuries surgery blood graves cemetery buried "
    "funeral orphans widows elderly babies born birth wedding married engaged "
    "celebration holiday eid ramadan fasting feast generator batteries candles darkness "
    "silence noise sound sounds heard saw watched waited waiting walked ran carried "
    "crying screaming praying trusted afraid brave strong tired exhausted hopeless "
    "negotiations agreement ceasefire deal trucks buses green buses red crescent cross "
    "organisations aid relief food baskets blankets medicine shortage queue queues"
)

# Word groups that testimonies use together; phrase searches look for them.
PHRASES = (
    "barrel bombs",
    "green buses",
    "field hospital",
    "under the rubble",
    "hope of returning",
    "the last days of the siege",
    "we left everything behind",
)

GIVEN_NAMES = _words(
    "Ahmad Khaled Yasser Rami Fatima Layla Mahmoud Abdullah Hassan Hussein Samer Nour Rania "
    "Huda Amal Walid Bassam Ziad Ibrahim Yusuf Mustafa Ali Salma Maryam Hamza Tariq Ammar "
    "Reem Dima Zaid Osama Bilal Hiba Lina Majd Anas Sami Jamal Karim Nadia"
)
FAMILY_NAMES = _words(
    "al-Khatib Darwish Haddad al-Masri Shami Najjar Hamwi Idlibi Sabbagh Kurdi Tahhan Attar "
    "Jabri Kayyali al-Ahmad Hallak Zaidan Qabbani Rifai Shehadeh Hijazi al-Sayed Mansour "
    "Barakat Khoury Suleiman Othman Bakri Ghazal Hamdan al-Hasan Nasser Farouk Saadi Aswad "
    "Tabbakh Jundi Fawal Zein Sharif"
)
ROLES = _words(
    "teacher nurse doctor lawyer journalist student farmer baker engineer activist "
    "paramedic shopkeeper driver tailor pharmacist volunteer imam mechanic"
)

# Kinds of search in the mix whose every search finds something at any size.
FINDING_KINDS = (
    "single word",
    "two words",
    "phrase",
    "OR",
    "exclusion",
    "variant name",
    "later page",
    "archivist",
)


@dataclass
class GeneratedTestimony:
    """One generated interview: front matter and passages, as a testimony file would hold."""

    slug: str
    narrator: dict
    title: str
    interview_date: str
    access: str
    events: list[str]
    passages: list[str]
    # a word found in this passage (1-based position) and nowhere else in the collection
    probe: str | None = None
    probe_position: int | None = None

    def meta(self) -> dict:
        """The front matter, as `importer.parse_testimony` reads it from `file_text`."""
        return {
            "slug": self.slug,
            "title": self.title,
            "narrator": self.narrator,
            "interview_date": self.interview_date,
            "interviewers": ["Benchmark Interviewer"],
            "citation": {"publisher": "Synthetic collection", "title": self.title},
            "rights": "Synthetic text made for benchmarking; no real testimony.",
            "access": self.access,
            "events": self.events,
        }

    def transcript(self) -> str:
        """The text after the front matter: one paragraph per passage."""
        return "\n\n".join(self.passages) + "\n"

    def file_text(self) -> str:
        """The testimony file: YAML front matter, then one paragraph per passage."""
        front = yaml.safe_dump(self.meta(), allow_unicode=True, sort_keys=False)
        return f"---\n{front}---\n" + self.transcript()


@dataclass(frozen=True)
class Query:
    """One search of the mix, with the kind of search it stands for.

    `fts` is the same search in SQLite FTS5's query language, every spelling the archive's
    gazetteer would expand a name to written out (None: `q` as it is); `year` is a year the
    query names with `year:`, which FTS5 filters on a column.
    """

    kind: str
    q: str
    narrator: str | None = None
    place: str | None = None
    event: str | None = None
    page: int = 1
    include_restricted: bool = False
    fts: str | None = None
    year: str | None = None


@dataclass
class Collection:
    size: int
    seed: int
    testimonies: list[GeneratedTestimony] = field(default_factory=list)

    @cached_property
    def narrator_passages(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.testimonies:
            slug = t.narrator["slug"]
            counts[slug] = counts.get(slug, 0) + len(t.passages)
        return counts

    def fingerprint(self) -> str:
        """A digest of the whole collection: tells a stored copy made by another generator."""
        digest = hashlib.sha256()
        for t in self.testimonies:
            digest.update(f"{t.slug}|{t.access}|{t.probe}|{t.events}|{t.narrator}".encode())
            for passage in t.passages:
                digest.update(passage.encode())
        return digest.hexdigest()

    @property
    def passage_count(self) -> int:
        return sum(len(t.passages) for t in self.testimonies)

    @property
    def restricted(self) -> list[GeneratedTestimony]:
        return [t for t in self.testimonies if t.access == "restricted"]

    @property
    def probes(self) -> list[GeneratedTestimony]:
        return [t for t in self.testimonies if t.probe]

    def query_mix(self) -> list[Query]:
        """The searches timed: about 250 distinct ones of fourteen kinds (single words, OR,
        exclusion, every filter, later pages, archivists' searches, searches that find
        nothing...), drawn from the vocabulary, the gazetteer and the collection with a fixed
        seed."""
        return _query_mix(self, random.Random(f"{self.seed}-mix"))


class _Words:
    """The vocabulary and the spellings of names, with a Zipf draw over the words."""

    def __init__(self, rng: random.Random, transcripts_dir: Path):
        timeline = yaml.safe_load((transcripts_dir / "timeline.yaml").read_text("utf-8"))
        names_file = transcripts_dir / "names.yaml"
        names = yaml.safe_load(names_file.read_text("utf-8")) if names_file.exists() else {}
        self.places = [
            [p["name"], *p.get("variants", []), *filter(None, [p.get("name_arabic")])]
            for p in timeline["places"]
        ]
        self.person_names = [
            [n["name"], *n.get("variants", [])] for n in (names or {}).get("names", [])
        ]
        self.events = [e["slug"] for e in timeline["events"]]
        self.place_slugs = [p["slug"] for p in timeline["places"]]
        own = set()
        for path in sorted((transcripts_dir / "testimonies").glob("*.md")):
            body = path.read_text("utf-8").split("\n---\n", 1)[-1]
            own.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", body))
        for event in timeline["events"]:
            own.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", event["summary"]))
        known = set(FUNCTION_WORDS) | set(CONTENT_WORDS)
        own_words = sorted(own - known)
        rng.shuffle(own_words)
        self.words = [*FUNCTION_WORDS, *dict.fromkeys(CONTENT_WORDS), *own_words]
        self.words += _made_up_words(rng, TAIL_WORDS, set(self.words))
        # Zipf-Mandelbrot: the word of rank r is drawn with weight 1 / (r + 2.7) ** 1.1, which
        # gives function words about half of the text and made-up words a quarter
        weights = (1.0 / (r + 2.7) ** 1.1 for r in range(len(self.words)))
        self.cum_weights = list(_accumulate(weights))

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=count)

    def place(self, rng: random.Random) -> str:
        spellings = rng.choice(self.places)
        # the usual name most often; any other spelling the timeline lists otherwise
        return spellings[0] if rng.random() < 0.6 else rng.choice(spellings)

    def person(self, rng: random.Random) -> str:
        spellings = rng.choice(self.person_names)
        return spellings[0] if rng.random() < 0.6 else rng.choice(spellings)


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def _made_up_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    onsets = _words("b d f g h j k l m n p r s t v w sh ch br tr st pl gr")
    vowels = _words("a e i o u ai ou ia")
    codas = ["", "", "n", "r", "s", "l", "m", "t"]
    words: list[str] = []
    seen = set(taken)
    while len(words) < count:
        syllables = rng.choice((2, 2, 2, 3))
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _probe_word(number: int) -> str:
    # "zq" begins no word of the vocabulary; the letters after it count in base 26
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += chr(ord("a") + digit)
        if not number:
            return f"zq{letters}x"


def _sentence(rng: random.Random, words: _Words, length: int, names: list[str]) -> str:
    tokens = words.draw(rng, length)
    if rng.random() < 0.3:
        tokens.insert(rng.randrange(len(tokens) + 1), words.place(rng))
    if rng.random() < 0.08:
        tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(PHRASES))
    if rng.random() < 0.05:
        tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(names))
    sentence = " ".join(tokens)
    return sentence[0].upper() + sentence[1:] + rng.choice(".....?!")


def _passage(rng: random.Random, words: _Words, names: list[str]) -> str:
    target = max(8, min(600, int(rng.lognormvariate(math.log(60), 0.6))))
    sentences, total = [], 0
    while total < target:
        length = min(target - total, max(4, int(rng.gauss(14, 5))))
        sentences.append(_sentence(rng, words, length, names))
        total += length
    return " ".join(sentences)


def _narrator(rng: random.Random, number: int, words: _Words) -> dict:
    given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    if rng.random() < 0.3:  # a name the gazetteer knows in several spellings
        given = rng.choice(words.person_names)[0]
    name = f"{given} {family}"
    spellings = [
        f"{variant} {family}"
        for group in words.person_names
        if group[0] == given
        for variant in group[1:2]
    ]
    role = rng.choice(ROLES)
    origin = words.place(rng)
    return {
        "slug": f"gen-narrator-{number:05d}",
        "name": name,
        "spellings": spellings,
        "origin": origin,
        "residence": words.place(rng),
        "roles": [role],
        "biography": f"{name} is a {role} from {origin}, interviewed for a synthetic collection.",
    }


def generate(
    size: int, seed: int = SEED, transcripts_dir: Path = PROJECT_ROOT / "transcripts"
) -> Collection:
    """A collection of exactly `size` passages, the same for the same size and seed."""
    rng = random.Random(f"{seed}-{size}")
    words = _Words(random.Random(seed), transcripts_dir)
    collection = Collection(size, seed)
    narrator: dict = {}
    remaining, number = size, 0
    while remaining:
        number += 1
        if number == 1 or rng.random() < 0.6:  # most narrators give one interview, some more
            narrator = _narrator(rng, number, words)
        count = min(remaining, max(3, min(80, int(rng.lognormvariate(math.log(17), 0.55)))))
        remaining -= count
        names = [narrator["name"], *narrator["spellings"], words.person(rng)]
        passages = [_passage(rng, words, names) for _ in range(count)]
        testimony = GeneratedTestimony(
            slug=f"gen-testimony-{number:05d}",
            narrator=narrator,
            title=f"{narrator['name']} on leaving {words.place(rng)}",
            interview_date=f"{rng.randint(2012, 2023)}-{rng.randint(1, 12):02d}-15",
            # every 33rd testimony: a few percent, and some in even the smallest collection
            access="restricted" if number % RESTRICTED_EVERY == 7 else "public",
            events=sorted(set(rng.sample(words.events, rng.choice((0, 1, 1, 2))))),
            passages=passages,
        )
        if number % PROBE_EVERY == 0 or testimony.access == "restricted":
            testimony.probe = _probe_word(number)
            testimony.probe_position = rng.randint(1, count)
            i = testimony.probe_position - 1
            passages[i] = f"{passages[i]} {testimony.probe.capitalize()} was its name."
        collection.testimonies.append(testimony)
    return collection


def _misspelt(word: str, known: set[str]) -> str | None:
    """`word` with two letters inside it swapped, if that makes no word of the vocabulary."""
    for at in range(2, len(word) - 2):
        slip = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if slip != word and slip not in known:
            return slip
    return None


def _query_mix(collection: Collection, rng: random.Random) -> list[Query]:
    words = _Words(random.Random(collection.seed), PROJECT_ROOT / "transcripts")
    content = list(dict.fromkeys(CONTENT_WORDS))
    common = content[:30]  # words found in a tenth of the passages or more
    rare = words.words[-2000:]  # made-up words of the long tail: a few passages each
    busiest = sorted(
        collection.narrator_passages, key=lambda s: (-collection.narrator_passages[s], s)
    )[:6]
    years = sorted({t.interview_date[:4] for t in collection.testimonies})
    mix: list[Query] = []

    def add(kind: str, q: str, **options) -> None:
        query = Query(kind, q, **options)
        if query not in mix:
            mix.append(query)

    for word in rng.sample(content, 40):
        add("single word", word)
    for _ in range(30):
        add("two words", " ".join(rng.sample(common, 2)))
    for phrase in PHRASES:
        add("phrase", f'"{phrase}"')
    for word in rng.sample(content, 13):
        add("phrase", f'"the {word}"')
    for _ in range(20):
        first, second = rng.sample(content, 2)
        add("OR", f"{first} OR {second}")
    for _ in range(20):
        first, second = rng.sample(common, 2)
        add("exclusion", f"{first} -{second}")
    spellings = [group for group in words.places + words.person_names if len(group) > 1]
    for group in rng.sample(spellings, min(22, len(spellings))):
        variant = rng.choice(group[1:])
        add("variant name", variant, fts=" OR ".join(f'"{s}"' for s in group))
    known = set(words.words)
    slips = [s for s in (_misspelt(w, known) for w in content if len(w) >= 6) if s]
    for slip in rng.sample(slips, min(20, len(slips))):
        add("misspelling", slip)
    for slug in busiest:
        add("narrator filter", "", narrator=slug)
        add("narrator filter", rng.choice(common), narrator=slug)
    for slug in rng.sample(words.place_slugs, min(12, len(words.place_slugs))):
        add("place filter", rng.choice(["", *common]), place=slug)
    for slug in rng.sample(words.events, min(10, len(words.events))):
        add("event filter", rng.choice(["", *common]), event=slug)
    for _ in range(10):
        word, year = rng.choice(common), rng.choice(years)
        add("year filter", f"{word} year:{year}", fts=word, year=year)
    for _ in range(15):
        add("later page", rng.choice(common[:20]), page=rng.choice((2, 3, 5)))
    for _ in range(15):
        add("archivist", " ".join(rng.sample(common, rng.choice((1, 2)))), include_restricted=True)
    for _ in range(10):
        add("no hits", " ".join(rng.sample(rare, 2)))
    return mix


def extra_testimony(collection: Collection, number: int) -> GeneratedTestimony:
    """A testimony not in `collection`, with a probe word, for timing an archivist's addition."""
    rng = random.Random(f"{collection.seed}-extra-{number}")
    words = _Words(random.Random(collection.seed), PROJECT_ROOT / "transcripts")
    narrator = _narrator(rng, 90_000 + number, words)
    probe = _probe_word(900_000 + number)
    passages = [_passage(rng, words, [narrator["name"]]) for _ in range(20)]
    passages[4] = f"{passages[4]} {probe.capitalize()} was its name."
    return GeneratedTestimony(
        slug=f"gen-added-{number:05d}",
        narrator=narrator,
        title=f"{narrator['name']}, added while the archive is serving",
        interview_date="2024-01-15",
        access="public",
        events=[],
        passages=passages,
        probe=probe,
        probe_position=5,
    )


def load(session: Session, collection: Collection) -> None:
    """Store the collection into a record that holds none of it, with the rows the importer
    would store for its files, a million passages in minutes (`bulk.store_testimonies`).

    The caller loads the timeline first (`load_timeline`): testimonies name its events.
    """
    store_testimonies(session, collection.testimonies)


def load_through_importer(session: Session, collection: Collection, batch: int = 200) -> None:
    """Store the collection file by file through the importer (validate, split, store),
    committing in batches: what `load` must store the same rows as, at 4 ms a passage.
    """
    for number, testimony in enumerate(collection.testimonies, start=1):
        parsed = parse_testimony(testimony.file_text(), f"{testimony.slug}.md")
        link_testimony(session, store_testimony(session, parsed))
        if number % batch == 0:
            session.commit()
    session.commit()


def load_timeline(session: Session, transcripts_dir: Path = PROJECT_ROOT / "transcripts") -> None:
    """Store the places and events of `timeline.yaml`, whose spellings the collection uses."""
    store_timeline(session, read_timeline_file(transcripts_dir / "timeline.yaml"))
    session.commit()
