"""A light Latvian stemmer and stopword list (no Snowball stemmer exists for Latvian).

The algorithm is Kreslins' light stemmer ("A stemming algorithm for Latvian", 1996):
strip the longest matching inflectional ending, provided the word keeps enough vowels
and at least three letters, then undo the consonant change (palatalisation) that some
endings cause, so `zvaigžņu` and `zvaigzne` meet at `zvaigzn`, `brāļu` and `brālis` at
`brāl`. Written for this project from the published description.
"""

from __future__ import annotations

from search.text.lemmas import latvian_lemma

VOWELS = frozenset("aāeēiīouū")

# (ending, vowels the stem must keep more than, whether the ending palatalises).
# The nominal endings are Kreslins'; the verb endings (-āt/-ēt/-īt infinitives, futures,
# present plurals) are this project's addition, so that verbs of the 2nd and 3rd
# conjugations meet their own forms.
ENDINGS: tuple[tuple[str, int, bool], ...] = (
    ("āsiet", 1, False),
    ("ēsiet", 1, False),
    ("īsiet", 1, False),
    ("ajiem", 3, False),
    ("ajai", 3, False),
    ("ajam", 2, False),
    ("ajām", 2, False),
    ("ajos", 2, False),
    ("ajās", 2, False),
    ("āsim", 1, False),
    ("ēsim", 1, False),
    ("īsim", 1, False),
    ("ājat", 1, False),
    ("ējat", 1, False),
    ("ījat", 1, False),
    ("iem", 2, True),
    ("ajā", 2, False),
    ("ais", 2, False),
    ("āšu", 1, False),
    ("ēšu", 1, False),
    ("īšu", 1, False),
    ("āsi", 1, False),
    ("ēsi", 1, False),
    ("īsi", 1, False),
    ("ai", 2, False),
    ("ei", 2, False),
    ("ām", 1, False),
    ("am", 1, False),
    ("ēm", 1, False),
    ("īm", 1, False),
    ("im", 1, False),
    ("āt", 1, False),
    ("ēt", 1, False),
    ("īt", 1, False),
    ("ot", 1, False),
    ("um", 1, False),
    ("us", 1, True),
    ("as", 1, False),
    ("ās", 1, False),
    ("es", 1, False),
    ("os", 1, True),
    ("ij", 1, False),
    ("īs", 1, False),
    ("ēs", 1, False),
    ("is", 1, False),
    ("ie", 1, False),
    ("u", 1, True),
    ("a", 1, True),
    ("i", 1, True),
    ("e", 1, False),
    ("ā", 1, False),
    ("ē", 1, False),
    ("ī", 1, False),
    ("ū", 1, False),
    ("o", 1, False),
    ("s", 0, False),
    ("š", 0, False),
)

# Consonant pairs a palatalising ending leaves behind, and what they were.
_PAIRS = {"šņ": "sn", "žņ": "zn", "šļ": "sl", "žļ": "zl", "ļņ": "ln", "ļļ": "ll"}
_SINGLE = {"č": "c", "ļ": "l", "ņ": "n"}
_LABIAL_J = ("pj", "bj", "mj", "vj")

STOPWORDS = frozenset(
    """
    un vai bet ka kā ja jo lai arī gan tad nu vēl jau tikai pat ne nē nav ir bija būs būt
    esmu esi esam esat biju bijām bijāt būšu būsi būsim būsiet tiek tika tiks tikt kļūst
    es tu viņš viņa mēs jūs viņi viņas tas tā tie tās šis šī šie šīs kas kurš kura kuri
    kuras kam kuru kurā kurās kurā kurās savs sava savu savā savi savas mans mana tavs tava
    uz no par pie pa pēc ar bez līdz starp zem virs aiz priekš pret caur dēļ ap iekš
    to tam tai tajā tajos tām tiem tos šo šai šajā šim šiem tur te šeit kur kad kāpēc
    kā cik ļoti vairāk mazāk kopā tāpat tomēr taču jeb vien arī varbūt tikpat
    """.split()
)


def _vowel_count(word: str) -> int:
    return sum(ch in VOWELS for ch in word)


def _undo_palatalisation(stem: str, removed: str) -> str:
    if removed == "u":
        if stem.endswith("kš"):  # -kst- nouns: plural genitive loses the t (skaļakšu)
            return stem[:-2] + "kst"
        if stem.endswith("ņņ"):
            return stem[:-2] + "nn"
    if stem.endswith(_LABIAL_J):
        return stem[:-1]
    for pair, plain in _PAIRS.items():
        if stem.endswith(pair):
            return stem[:-2] + plain
    if stem and stem[-1] in _SINGLE:
        return stem[:-1] + _SINGLE[stem[-1]]
    return stem


def _drop_verbal_j(stem: str) -> str:
    """`strādāj-` (strādāju, strādāja) and `ražotāj-` (ražotājs, ražotāja) lose the -āj-/-ēj-/-īj-
    that verbs of the 2nd and 3rd conjugation and their agent nouns insert, so they meet
    `strād-` (strādāt, strādās)."""
    if len(stem) >= 5 and stem[-1] == "j" and stem[-2] in "āēī":
        return stem[:-2]
    return stem


def index_term(word: str) -> str:
    """What a lowercase Latvian word form is indexed as: the stem of its dictionary form
    when the dictionary knows it (`lāču` → lācis → `lāc`), else its own stem. A verb is
    its infinitive without `-t` and its theme vowel (`izsniedza` → izsniegt → `izsnieg`,
    `skatījās` → skatīt → `skat`), which is where the stemmer leaves its unknown forms; a
    reflexive verb keeps a mark (`mācīties` is not `mācīt`)."""
    found = latvian_lemma(word)
    if found is None:
        return stem(word)
    if not found.verb:
        return stem(found.form)
    form, reflexive = found.form, found.reflexive
    if form.endswith("ties") and len(form) > 6:
        form, reflexive = form[:-4], True
    elif form.endswith("t") and len(form) > 3:
        form = form[:-1]
    if len(form) > 3 and form[-1] in VOWELS:
        form = form[:-1]
    return _drop_verbal_j(form) + (REFLEXIVE_MARK if reflexive else "")


REFLEXIVE_MARK = "·"
"""Ends the index term of a reflexive verb; no word of a text contains it."""


def stem(word: str) -> str:
    """The stem of a lowercase Latvian word form."""
    vowels = _vowel_count(word)
    for ending, min_vowels, palatalises in ENDINGS:
        if vowels > min_vowels and len(word) >= len(ending) + 3 and word.endswith(ending):
            base = word[: -len(ending)]
            return _drop_verbal_j(_undo_palatalisation(base, ending[0]) if palatalises else base)
    return _drop_verbal_j(word)
