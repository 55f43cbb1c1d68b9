"""What kind of thing a question asks for, whether a sentence holds it, and the words that
answer: a number for "how many", a year for "when", a name for "who" and "where", a title
or term for "what is it called", a place in the locative for a Latvian "kur" (sv, lv, ru,
en; `qa` scores sentences with it and marks the answering phrase)."""

from __future__ import annotations

import functools
import itertools
import re

from search.text import analysis

QUESTION_WORDS = frozenset(
    """
    what which who whom whose how many much when where why does do did is are was were can could
    should would there their about tell give list
    vad vilka vilken vilket vilkas vem vems hur många mycket när var vart varifrån varför finns
    fick får kan ska
    kas ko kam kā kāds kāda kādu kādā kādam kādai kādi kādas kādiem kādām kādus kādos kādās kur
    kad kāpēc kādēļ cik vai kurš kura kuru kurā kuram kurai kuri kuras kuriem kurām kurus kurās
    kuros
    что чего чему чем чём кто кого кому кем ком какой какого какому каким каком какая какую
    какие каких какими какое каков какова каково каковы который которая которое которые
    которого которой котором которую которых которым которыми где куда откуда когда почему
    зачем сколько скольких скольким ли как
    што чаго хто каго каму які якая якое якія якога якой якую якіх дзе калі чаму колькі
    """.split()
)
"""Words that ask rather than name what is asked about, in every inflected form."""
HOW_MANY = frozenset("cik сколько скольких скольким сколькими колькі".split())
"""Words that ask how many or how much on their own."""
QUANTITY_AFTER = {
    "how": frozenset("many much long old far large big high tall often deep wide heavy".split()),
    "hur": frozenset(
        "många mycket länge gammal gamla stor stort stora lång långt ofta hög högt".split()
    ),
}
"""`how` and `hur` ask for a number only before one of these: "How many…", "Hur länge…";
"How did she describe it?" and "Hur beskrev hon…" ask for no number."""
WHEN = frozenset("when när kad когда калі".split())
YEAR_WORDS = frozenset("year år året gads gadā gadu gada год году года годы лет".split())
"""A question asking which year ("In what year…", "Vilket år…", "Kurā gadā…", "В каком
году…") wants a year, as a "when" one does."""
SHARE_WORDS = frozenset(
    """percent percentage number total amount average magnitude population
    procent antal antalet totalt summa summan genomsnitt genomsnittet befolkning
    procentu procenti skaits skaitu kopskaits summa vidēji vidējais
    процент процента процентов процентах число числа количество количества сумма сумму
    численность средний среднее средняя""".split()
)
"""A question asking what percentage, number, total or amount wants a number."""
WHO = frozenset("who whom whose vem vems кто кого кому кем ком хто каго каму".split())
WHERE = frozenset("where vart varifrån kur где куда откуда дзе".split())
"""("var" asks where only as a question's first word: elsewhere it is "was".)"""
NAMING = frozenset(
    "called named name title heter hette kallas kallades namn namnet sauc sauca nosaukums"
    " nosaukumu называется называлась называют зовут звали название".split()
)
"""A question asking what something is called wants a name ("What was the earthquake
named?", "Vad kallas…", "Kā sauc…", "Как называется…")."""
_NUMBER = re.compile(
    r"\d|\b(?:"
    # en
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|dozens?|"
    # sv ("en", "ett" are also articles: left out)
    r"två|tre|fyra|fem|sju|åtta|nio|tio|elva|tolv|(?:tret|fjor|fem|sex|sjut|ar|nit)ton|"
    r"tjugo\w*|trettio|fyrtio|femtio|sextio|sjuttio|åttio|nittio|hundra\w*|tusen\w*|miljon\w*|"
    # lv
    r"(?:div|četr|piec|seš|septiņ|astoņ|deviņ)(?:i|as|u|iem|ām|os|ās)|trīs|trij\w+|trim|"
    r"desmit\w*|\w+padsmit\w*|\w+desmit|simt\w*|tūkstoš\w*|miljon\w*|"
    # ru
    r"два|две|двух|двум|двумя|три|трёх|трех|трём|трем|тремя|четыре|четырёх|четырех|"
    r"четырём|четырем|четырьмя|пять|пяти|пятью|шесть|шести|шестью|семь|семи|семью|восемь|"
    r"восьми|восемью|девять|девяти|девятью|десять|десяти|десятью|\w+надцать|\w+надцати|двадцат\w*|тридцат\w*|"
    r"сорок\w*|пятьдесят|шестьдесят|семьдесят|восемьдесят|девяност\w*|двести|триста|"
    r"тысяч\w*|миллион\w*"
    r")\b",
    re.IGNORECASE,
)
"""A number in digits or in words ("eleven", "elva", "vienpadsmit", "одиннадцать"): what a
"how many" question asks for (a year is not: "since 2020" does not say how many)."""
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_QUOTED = re.compile(r"[«\"“„]([^«»\"“”„]{2,60})[»\"”“]")
_NAMED = re.compile(
    r"\b(?:called|named|known as|kallas(?: för)?|kallad|heter|hette|sauc(?:a)?(?: par)?|"
    r"nosaukum\w*|называ\w+|зовут|под названием)\s+[«\"“„']?(\w+)",
    re.IGNORECASE,
)
_LV_LOCATIVE = re.compile(r"\b([A-ZĀČĒĢĪĶĻŅŠŪŽ]\w*(?:\s+[A-ZĀČĒĢĪĶĻŅŠŪŽ]\w*)*(?:\s+\w*)?[āēī]s?)\b")
_MONTH = (
    r"(?:january|february|march|april|(?-i:May)|june|july|august|september|october|november|"
    r"december|januari|februari|mars|maj|juni|juli|augusti|janvār\w*|februār\w*|mart\w*|"
    r"aprīl\w*|maij\w*|jūnij\w*|jūlij\w*|august\w*|septembr\w*|oktobr\w*|novembr\w*|"
    r"decembr\w*|январ\w*|феврал\w*|марта?|апрел\w*|ма[яйе]|июн\w*|июл\w*|августа?|"
    r"сентябр\w*|октябр\w*|ноябр\w*|декабр\w*)"
)
_DATE_BEFORE = re.compile(
    rf"(?:\b(?:\d{{1,2}}\.?\s*)?{_MONTH}\s+|\b{_MONTH}\s+\d{{1,2}},?\s+)$", re.IGNORECASE
)
"""A month, with its day, just before a year: "12 May ", "5 марта ", "August 30, ", "May "."""
_DAY_AND_MONTH = re.compile(
    rf"\b(?:\d{{1,2}}\.?\s*{_MONTH}|{_MONTH}\s+\d{{1,2}}(?!\d))\b", re.IGNORECASE
)
_DATE_AFTER = re.compile(
    rf"^(?:\.?\s*gada\s+\d{{1,2}}\.\s*{_MONTH}|\s+gada\s+\d{{1,2}}\.\s*{_MONTH})",
    re.IGNORECASE,
)
"""A Latvian day and month just after a year: "2012. gada 15. novembrī"."""
_FIGURE = re.compile(r"\d+(?:[ .,\u00a0]\d{3})*(?:[.,]\d+)?")


def answer_type(question: str) -> str:
    tokens = [t.lower() for t, _, _ in analysis.tokens(question)]
    words = _words(question)
    asks = bool(words & QUESTION_WORDS)
    if words & HOW_MANY or _asks_quantity(tokens) or (asks and words & SHARE_WORDS):
        return "number"
    if words & WHEN or (asks and words & YEAR_WORDS):
        return "year"
    if words & WHO or (asks and words & NAMING):
        return "name"
    if "kur" in words:  # Latvian says where in the locative case
        return "locative"
    if words & WHERE or tokens[:1] == ["var"]:
        return "place"
    return ""


def _asks_quantity(tokens: list[str]) -> bool:
    """`how` or `hur` followed by a word of quantity (`QUANTITY_AFTER`)."""
    return any(b in QUANTITY_AFTER.get(a, ()) for a, b in itertools.pairwise(tokens))


def kind(sentence: str, wanted: str, question: str) -> float:
    """How surely a sentence holds the kind of thing the question asks for: 1 or 0, and
    for a question asking what something is called, 1 for a title in quotes or a word
    after "called" ("kallas", "sauc par"…), a half for a capitalised name alone."""
    if wanted == "number":
        return float(bool(_NUMBER.search(_YEAR.sub(" ", sentence))))
    if wanted == "year":
        return float(bool(_YEAR.search(sentence)))
    if wanted == "name":  # a person, an organisation, a title, a term
        if _named(sentence, question):
            return 1.0
        name = bool(_new_name(sentence, question))
        return 0.5 * name if _asks_what_called(question) else float(name)
    if wanted == "place":
        return float(bool(_new_name(sentence, question)))
    if wanted == "locative":
        return float(bool(_locative(sentence, question)))
    return 0.0


def _asks_what_called(question: str) -> bool:
    return bool(_words(question) & NAMING)


def _named(sentence: str, question: str) -> str:
    """A title in quotes, or the word after "called", "kallas", "sauc par", "называется"…,
    that the question does not hold."""
    asked = _asked(question)
    for m in (*_QUOTED.finditer(sentence), *_NAMED.finditer(sentence)):
        if any(analysis.fold(t)[:5] not in asked for t, _, _ in analysis.tokens(m.group(1))):
            return m.group(1)
    return ""


def _locative(sentence: str, question: str) -> str:
    """A Latvian name the question does not hold, in the locative case: where something is
    ("Rīgā", "Valmieras novadā", "Jāņa Rozes grāmatnīcā")."""
    asked = _asked(question)
    found = (m.group(1) for m in _LV_LOCATIVE.finditer(sentence))
    return next((name for name in found if analysis.fold(name)[:5] not in asked), "")


@functools.lru_cache(maxsize=64)
def _words(question: str) -> frozenset[str]:
    """The question's words, lower-cased (asked for once per candidate sentence)."""
    return frozenset(t.lower() for t, _, _ in analysis.tokens(question))


@functools.lru_cache(maxsize=64)
def _asked(question: str) -> frozenset[str]:
    """The question's words as a name in a sentence is compared with them: folded, their
    first five letters (asked for once per candidate sentence)."""
    return frozenset(analysis.fold(t)[:5] for t, _, _ in analysis.tokens(question))


def answering_phrase(sentence: str, wanted: str, question: str = "") -> str:
    """The words that answer, as the sentence writes them: the number (not a year) a "how
    many" question asks for, the year a "when" one asks for, the name a "who" or "where"
    one asks for (the first capitalised words the question does not hold; what a question
    asking what something is called wants is a title in quotes or the word after "called"
    first; a Latvian "kur" wants a name in the locative); empty when the question asks for
    none of these."""
    if wanted == "year":
        year = _YEAR.search(sentence)
        if _asks_when(question):
            if year:
                return _date_around(sentence, *year.span())
            day = _DAY_AND_MONTH.search(sentence)  # "on December 4": no year written
            return day.group(0) if day else ""
        return year.group(0) if year else ""
    if wanted == "name" and _asks_what_called(question):
        return _named(sentence, question) or _new_name(sentence, question)
    if wanted in ("name", "place"):
        return _new_name(sentence, question)
    if wanted == "locative":
        return _locative(sentence, question)
    if wanted != "number":
        return ""
    years = [m.span() for m in _YEAR.finditer(sentence)]
    for m in _NUMBER.finditer(sentence):
        if any(a <= m.start() < b for a, b in years):
            continue
        if m.group(0).isdigit():  # the whole figure: 40,000 or 1 500 or 3.5
            figure = _FIGURE.match(sentence, m.start())
            return figure.group(0) if figure else m.group(0)
        return m.group(0)
    return ""


def _asks_when(question: str) -> bool:
    return bool(_words(question) & WHEN)


def _date_around(sentence: str, start: int, end: int) -> str:
    """A year with the day and month written beside it, where they are ("on August 30,
    2008", "12 May 2008", "5 марта 1999 г.", "2012. gada 15. novembrī"): what a "when"
    question asks for; the year alone where no month is beside it."""
    before = _DATE_BEFORE.search(sentence[:start])
    after = _DATE_AFTER.match(sentence[end:])
    start = before.start() if before else start
    end = end + after.end() if after else end
    return sentence[start:end].strip()


def _new_name(sentence: str, question: str) -> str:
    """The first run of capitalised words past the sentence's first word that the question
    does not name ("Jerry Jones", "Elmsäter-Svärd"), joined by spaces or hyphens."""
    asked = _asked(question)
    toks = analysis.tokens(sentence)
    start = end = -1
    for token, a, b in toks[1:]:
        new = token[:1].isupper() and analysis.fold(token)[:5] not in asked
        if start < 0 and new:
            start, end = a, b
        elif start >= 0 and new and sentence[end:a] in (" ", "-"):
            end = b
        elif start >= 0:
            break
    return sentence[start:end] if start >= 0 else ""
