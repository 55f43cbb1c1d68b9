"""Terms some of whose words begin with another letter, and those letters.

Marking a hit's words (`retrieval.highlight`) looks only at the words beginning with a
letter one of the query's terms begins with: a term is the stem of a word's dictionary
form, which nearly always begins as the word does. Not always: a Latvian negated or
debitive verb is indexed as its verb (`nestrādā` and `jāstrādā` as `strād`, `nepazīst` as
`paz`), and `gāja` and `ejam` as `iet`. A passage found by such a word would show it
unmarked. So the letters such words begin with are kept here by term (and by folded
term), learnt with the words' terms an index's segments keep (`indexing.word_forms`), and
the marker looks at words beginning with them too.

Only words an index's segments kept are known here; a word analysed afresh in this
process (once a language's cache of words is full) is not.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from search.text import analysis

_own: dict[str, dict[str, set[str]]] = {}
"""language → term of its field → the initials of its words that the term does not begin
with (lower-cased, ё as е)."""
_folded: dict[str, set[str]] = {}
"""folded term → the folded initials of its words that it does not begin with."""
_lock = threading.Lock()


def learn(language: str, terms: Mapping[str, str]) -> None:
    """Words of a language with their terms (`word_forms`: lower-cased, ё as е), as some
    analysis wrote them: the words whose term begins with another letter are analysed
    again here (a few in a thousand), so what is kept is this process's analysis."""
    odd = [word for word, term in terms.items() if word[:1] != term[:1]]
    if not odd:
        return
    terms_of = analysis.token_terms(language)  # (what the marker compares)
    with _lock:
        own = _own.setdefault(language, {})
        for word in odd:
            term, folded, _ = terms_of[word]
            if term is None or term[:1] == word[:1]:
                continue
            own.setdefault(term, set()).add(word[:1])
            initial = analysis.fold(word[:1])
            if folded[:1] != initial:
                _folded.setdefault(folded, set()).add(initial)


def other_initials(language: str, terms: Iterable[str]) -> set[str]:
    """The initials of the words of a language indexed as these terms of its field, beyond
    the terms' own."""
    known = _own.get(language, {})
    return {i for t in terms for i in known.get(t, ())}


def other_folded_initials(terms: Iterable[str]) -> set[str]:
    """The same for folded terms (of any language)."""
    return {i for t in terms for i in _folded.get(t, ())}
