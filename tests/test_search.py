"""Search semantics over the fixture corpus: every query construct, collapse, paging,
facets with per-facet exclusion, diacritics, and clear errors."""

from __future__ import annotations

import json

import pytest
from whoosh.reading import IndexReader

from search.cli import main
from search.errors import QuerySyntaxError
from search.indexing import store
from search.models import SearchRequest, SearchResults
from search.retrieval.engine import Engine
from search.retrieval.spelling import Spellings
from search.settings import Settings


def run(engine: Engine, text: str = "", **kw: object) -> SearchResults:
    return engine.search(SearchRequest(text=text, page_size=kw.pop("page_size", 20), **kw))  # type: ignore[arg-type]


def titles(results: SearchResults) -> set[str]:
    return {h.title for h in results.hits}


def facet(results: SearchResults, name: str) -> dict[str, int]:
    return {v.value: v.count for f in results.facets if f.name == name for v in f.values}


def test_words_must_all_match(engine: Engine) -> None:
    assert titles(run(engine, "kommunen upphandling")) == {
        "Kafé Trädgården: arbetsträning i Uppsala"
    }
    assert titles(run(engine, "kommunen ingenting_sådant")) == set()


def test_words_spread_over_a_documents_passages_find_it_after_passages_holding_all(
    tmp_path: object,
) -> None:
    """A report that names the people in one section and the council in another is found
    by both words, ranked after documents with a passage that holds them all."""
    from pathlib import Path

    from tests.conftest import corpus_of

    talsi = (
        '# Sociālais uzņēmums Talsos\n\nSociālais uzņēmums "Talsu darbnīca" dibināts 2019. '
        "gadā. Tajā strādā astoņi cilvēki ar invaliditāti, kuri šuj somas un auduma maisiņus "
        "vietējiem veikaliem.\n\n# Finansējums\n\nPirmajos divos gados darbnīcu atbalstīja "
        "novada dome ar telpām. Vēlāk Eiropas Sociālā fonda projekts ļāva iegādāties trīs jaunas "
        "šujmašīnas.\n"
    )
    cesis = "# Šujmašīnas un somas\n\nDarbnīca Cēsīs šuj somas ar jaunām šujmašīnām.\n"
    assert isinstance(tmp_path, Path)
    service = corpus_of(tmp_path, {"talsi.md": talsi.encode(), "cesis.md": cesis.encode()})
    assert not service.run_index().failed
    spread = service.search(SearchRequest(text="invaliditāti dome"))
    assert [h.source_key for h in spread.hits] == ["talsi.md"]
    assert spread.total_documents == 1 and facet(spread, "country") == {"LV": 1}
    both = service.search(SearchRequest(text="somas šujmašīnas"))
    assert [h.source_key for h in both.hits] == ["cesis.md", "talsi.md"]
    assert not service.search(SearchRequest(text="invaliditāti Cēsīs")).hits
    assert not service.search(SearchRequest(text='"invaliditāti dome"')).hits  # a phrase is one


def test_swedish_stemming_finds_inflected_forms(engine: Engine) -> None:
    assert "Kafé Trädgården: arbetsträning i Uppsala" in titles(run(engine, "företagets"))


def test_latvian_stemming_finds_inflected_forms(engine: Engine) -> None:
    found = titles(run(engine, "pašvaldības"))
    assert {"Sociālais uzņēmums Valmierā", "Jauniešu centrs Rīgā"} <= found


def test_russian_stemming_and_yo_equals_ye(engine: Engine) -> None:
    assert titles(run(engine, "предприятия")) == {"Социальное предприятие в Минске"}
    assert titles(run(engine, "продает")) == {
        "Социальное предприятие в Минске"
    }  # text says продаёт
    assert titles(run(engine, "ещё")) == titles(run(engine, "еще"))


def test_input_without_diacritics_finds_latvian_and_swedish(engine: Engine) -> None:
    assert "Sociālais uzņēmums Valmierā" in titles(run(engine, "pasvaldibu"))
    assert "Kafé Trädgården: arbetsträning i Uppsala" in titles(run(engine, "arbetstraning"))


def test_exact_letters_rank_above_folded_matches(engine: Engine) -> None:
    hits = run(engine, "Malmö").hits
    assert hits[0].title == "Återbruk i Malmö"


def test_phrase(engine: Engine) -> None:
    assert titles(run(engine, '"reserved public procurement"')) == {
        "Social enterprises and municipalities: an overview"
    }
    assert titles(run(engine, '"procurement public reserved"')) == set()


def test_exclusion(engine: Engine) -> None:
    with_riga = titles(run(engine, "pašvaldība"))
    without = titles(run(engine, "pašvaldība -jauniešu"))
    assert "Jauniešu centrs Rīgā" in with_riga and "Jauniešu centrs Rīgā" not in without


def test_or(engine: Engine) -> None:
    assert titles(run(engine, "Минске OR Valmierā")) == {
        "Социальное предприятие в Минске",
        "Sociālais uzņēmums Valmierā",
    }


def test_prefix(engine: Engine) -> None:
    assert "Kafé Trädgården: arbetsträning i Uppsala" in titles(run(engine, "upphandl*"))


def test_fuzzy(engine: Engine) -> None:
    assert "Kafé Trädgården: arbetsträning i Uppsala" in titles(run(engine, "upphandlng~"))


def test_parentheses(engine: Engine) -> None:
    assert titles(run(engine, "(Минске OR Valmierā) -хлеб")) == {"Sociālais uzņēmums Valmierā"}


def test_field_filters_in_the_query(engine: Engine) -> None:
    assert all("LV" in h.country for h in run(engine, "country:LV").hits)
    assert titles(run(engine, "type:report")) == {
        "Social enterprises and municipalities: an overview"
    }
    assert {h.year for h in run(engine, "year:2019..2020").hits} == {2019, 2020}
    assert titles(run(engine, 'org:"Zaļā darbnīca"')) == {"Sociālais uzņēmums Valmierā"}
    assert titles(run(engine, "municipality:riga")) == {"Jauniešu centrs Rīgā"}
    assert {h.language for h in run(engine, "lang:ru").hits} == {"ru"}


def test_passages_collapse_per_document(engine: Engine) -> None:
    results = run(engine, "kommunen")
    doc_ids = [h.doc_id for h in results.hits]
    assert len(doc_ids) == len(set(doc_ids))
    assert results.total_passages > results.total_documents
    assert sum(h.more_in_document + 1 for h in results.hits) == results.total_passages


def test_sort_by_year_and_paging(engine: Engine) -> None:
    everything = run(engine, "", sort="year")
    years = [h.year or 0 for h in everything.hits]
    assert years == sorted(years, reverse=True)
    first = engine.search(SearchRequest(sort="year", page=1, page_size=2))
    second = engine.search(SearchRequest(sort="year", page=2, page_size=2))
    assert [h.doc_id for h in first.hits + second.hits] == [h.doc_id for h in everything.hits[:4]]


def test_empty_query_counts_the_whole_collection(engine: Engine) -> None:
    results = run(engine)
    assert results.total_documents == 6
    assert facet(results, "country") == {"SE": 3, "LV": 3, "BY": 2}


def test_values_of_one_facet_or_and_other_facets_keep_counting(engine: Engine) -> None:
    results = run(engine, filters=(("country", ("SE", "LV")),))
    assert results.total_documents == 5
    # the country facet ignores its own selection: BY still shows its count
    assert facet(results, "country") == {"SE": 3, "LV": 3, "BY": 2}
    assert facet(results, "doc_type") == {"case": 4, "report": 1}
    narrowed = run(engine, filters=(("country", ("SE", "LV")), ("doc_type", ("report",))))
    assert narrowed.total_documents == 1
    assert facet(narrowed, "country") == {"SE": 1, "LV": 1, "BY": 1}
    assert facet(narrowed, "doc_type") == {"case": 4, "report": 1}


def test_language_facet_counts_documents_with_matching_passages(engine: Engine) -> None:
    results = run(engine, "", filters=(("lang", ("lv",)),))
    assert results.total_documents == 2
    assert facet(results, "lang")["sv"] == 2


def test_snippets_mark_matched_words(engine: Engine) -> None:
    hit = run(engine, "upphandling").hits[0]
    marked = [s.text for s in hit.snippet if s.match]
    assert marked and all("upphandling" in m.lower() for m in marked)


def test_a_long_passage_is_cut_to_the_words_around_its_matches() -> None:
    """The snippet is the 40-word window holding the most matched words, cut at word
    boundaries, with an ellipsis where text was left out; a short passage is shown whole."""
    from search.retrieval.highlight import SNIPPET_WORDS, Marker, snippet
    from search.text.analysis import FOLDED_FIELD, analyze_token, folded_term, tokens

    stem = analyze_token("en", "harbours")
    assert stem is not None
    marker = Marker({("text_en", stem), (FOLDED_FIELD, "harbour")})
    assert folded_term("en", "harbours") == "harbour"
    filler = "The council met the cooperative on Monday to talk about the budget."
    text = " ".join(
        [filler] * 6 + ["Two harbours, and the harbour office, were rented."] + [filler] * 6
    )
    cut = snippet(text, "en", marker)
    shown = "".join(s.text for s in cut)
    assert shown.startswith("… ") and shown.endswith(" …")
    assert shown[2:-2] in text and len(tokens(shown[2:-2])) == SNIPPET_WORDS
    assert [s.text for s in cut if s.match] == ["harbours", "harbour"]
    short = "Harbours are rented."
    assert [(s.text, s.match) for s in snippet(short, "en", marker)] == [
        ("Harbours", True),
        (" are rented.", False),
    ]
    assert "".join(s.text for s in snippet(text, "en", Marker(()))) == (
        text[: tokens(text)[SNIPPET_WORDS - 1][2]] + " …"
    )


def test_the_window_is_the_one_holding_the_most_marked_words() -> None:
    """Of the windows of 40 words that begin at every fourth word, the snippet shows the
    first holding the most marked words, whatever the text's length and where they are."""
    import random

    from search.retrieval.highlight import SNIPPET_WORDS, Marker, snippet
    from search.text.analysis import FOLDED_FIELD

    marker = Marker({("text_en", "harbour"), (FOLDED_FIELD, "harbour")})
    rng = random.Random(5)
    for _ in range(300):
        count = rng.randrange(SNIPPET_WORDS + 1, 160)
        marked = sorted(rng.sample(range(count), rng.randrange(0, 8)))
        words = ["harbour" if i in marked else "council" for i in range(count)]
        text = "  ".join(words) if rng.random() < 0.3 else " ".join(words)
        shown = "".join(s.text for s in snippet(text, "en", marker)).strip("… ")

        starts = range(0, count - SNIPPET_WORDS + 1, 4)
        held = [sum(first <= i < first + SNIPPET_WORDS for i in marked) for first in starts]
        best = starts[held.index(max(held))]
        assert shown.split() == words[best : best + SNIPPET_WORDS]


@pytest.mark.parametrize(
    "text",
    [
        "L'homme d’affaires and the harbour's office: Harbours, HARBOUR-side, 5harbours.",
        "Šī pašvaldība un Pašvaldības sadarbojas; pasvaldiba raksta pašvaldībām.",
        "Ёлка и ёлки, Елка, ЕЛКИ: в году и годы, Годом.",
        "Kommunen och kommunernas företag; Företagen, foretag och FÖRETAG_2020.",
        "12 000 kronor och 7,9procent, 1,000kr: 2020kommun, kommun2020 och _kommun.",
    ],
)
def test_marking_the_words_that_could_be_marked_finds_what_every_word_would(text: str) -> None:
    """A passage's words are looked at only where they begin with a letter one of the
    query's terms begins with (found by a pattern, not by splitting the passage); the
    words marked are those that analysing every token of it marks."""
    from search.retrieval.highlight import Marker
    from search.text.analysis import (
        FOLDED_FIELD,
        LANGUAGE_FIELDS,
        analyze_token,
        folded_term,
        tokens,
    )

    for language in ("en", "lv", "ru", "sv", "be"):
        for word, _, _ in tokens(text):
            field = LANGUAGE_FIELDS.get(language, "text_other")
            own = analyze_token(language if language in LANGUAGE_FIELDS else "other", word)
            terms = {(FOLDED_FIELD, folded_term(language, word))} | (
                {(field, own)} if own else set()
            )
            every, some = Marker(terms), Marker(terms)
            expected = every.spans(text, language, tokens(text))
            assert expected, (word, language)
            assert some.spans(text, language) == expected, (word, language)


def test_a_page_of_hits_in_several_languages_is_marked_as_each_text_alone() -> None:
    """The words of a page of hits are looked for in all its texts at once, whatever their
    languages: each text's marks are those that analysing every token of it alone gives,
    with words after digits, an emoji, a Swedish compound's part and a text with no mark."""
    from search.retrieval.highlight import Marker, snippet, snippets
    from search.text.analysis import FOLDED_FIELD, analyze_token, folded_term, tokens

    texts = [
        ("Kommunen och företagen: 5företag, 7'företag och kommun2020 😀 i Ydre.", "sv"),
        ("Pašvaldība un uzņēmumi; pasvaldiba 12 000 pašvaldībām.", "lv"),
        ("Муниципалитет и предприятия, в году 2020предприятие.", "ru"),
        ("The municipality's enterprises don't stop at the town's border.", "en"),
        ("Epoxiprodukter och kommunernas arbetsintegrerande företag.", "sv"),
        ("Гомель і прадпрыемствы.", "be"),
        ("Nothing here to mark at all.", "en"),
    ]
    words = ["kommunen", "företag", "pašvaldība", "предприятия", "enterprises", "stop", "гомель"]
    terms = {
        (FOLDED_FIELD, folded_term(lang, w)) for w in words for lang in ("sv", "lv", "ru", "en")
    }
    terms |= {
        (f"text_{lang}", term)
        for w in words
        for lang in ("sv", "lv", "ru", "en")
        if (term := analyze_token(lang, w))
    }
    for extra in (set(), {("text_sv_parts", "produkt")}):  # a part: every token looked at
        marker = Marker(terms | extra)
        every = [Marker(terms | extra).spans(t, lang, tokens(t)) for t, lang in texts]
        assert all(every[:6]) and not every[6]
        page = snippets(texts, marker)
        assert page == [snippet(t, lang, Marker(terms | extra)) for t, lang in texts]
        for (text, _), marked, shown in zip(texts, every, page, strict=True):
            assert [s.text for s in shown if s.match] == [text[a:b] for a, b in marked]


def test_every_queried_word_of_the_fixture_corpus_is_marked_as_every_token_would_be(
    engine: Engine,
) -> None:
    from search.retrieval.highlight import Marker
    from search.text.analysis import tokens

    hits = engine.retrieve(SearchRequest(text="kommun OR pašvaldība OR social*"), 200)
    words = sorted({w.lower() for h in hits for w, _, _ in tokens(h.text)})
    assert len(words) > 100
    for word in words[::3]:
        terms = engine.match_terms(word)
        for hit in engine.retrieve(SearchRequest(text=word), 20):
            every, some = Marker(terms), Marker(terms)
            expected = every.spans(hit.text, hit.language, tokens(hit.text))
            assert some.spans(hit.text, hit.language) == expected, (word, hit.passage_id)


def test_did_you_mean_uses_the_index_vocabulary(engine: Engine) -> None:
    results = run(engine, "upphandlig")
    assert results.total_documents == 0
    assert results.suggestion == "upphandling"
    assert run(engine, "Valmieras").suggestion == ""


def test_spelling_neighbours_are_whooshs_own_in_its_order(fixture_index: Settings) -> None:
    """The words near a misspelt one, read once a letter, are those Whoosh's terms_within
    gives over several segments, Damerau-Levenshtein as it documents (over one segment an
    automaton without transpositions answers instead), in its order (which decides
    between suggestions found equally often)."""
    _, ix = store.open_current(fixture_index.index_dir)
    with ix.reader() as reader:
        spellings = Spellings(reader)
        words = [w.decode() for w in reader.lexicon("spelling")]
        assert len(words) > 250
        compared = 0
        for word in words:
            for typo in (word[:1] + word[2:], word + "s", word[:1] + "ä" + word[1:]):
                for edits in (1, 2):
                    theirs = list(
                        IndexReader.terms_within(reader, "spelling", typo, edits, prefix=1)
                    )
                    assert spellings.within(typo, edits) == theirs, (typo, edits)
                    compared += bool(theirs)
        assert compared > 200


@pytest.mark.parametrize("block", [9, 16, 50, 1 << 16])
def test_a_segments_words_read_in_blocks_are_whooshs_own(
    fixture_index: Settings, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    """Each segment's words beginning with each letter, read from its terms table in
    blocks (small ones too, so that keys and records cross their ends), are the words
    Whoosh's `expand_prefix` reads, in its order."""
    from search.retrieval import whoosh_layout

    monkeypatch.setattr(whoosh_layout, "_CHUNK", block)
    _, ix = store.open_current(fixture_index.index_dir)
    compared = 0
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            letters = sorted({w.decode()[:1] for w in leaf.lexicon("spelling")})
            for prefix in [*letters, "", "ko", "zzz", "ö"]:
                theirs = list(leaf.expand_prefix("spelling", prefix))
                found = whoosh_layout.terms_with_prefix(leaf, "spelling", prefix.encode())
                assert found == theirs, prefix
                compared += len(theirs)
            assert whoosh_layout.terms_with_prefix(leaf, "no such field", b"a") == []
    assert compared > 500


def test_more_like_this_finds_other_documents(engine: Engine) -> None:
    hit = run(engine, "Valmierā").hits[0]
    similar = engine.more_like(hit.passage_id)
    assert similar.hits and hit.doc_id not in {h.doc_id for h in similar.hits}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unclosed', "unclosed quote"),
        ("(kommun", "never closed"),
        ("kommun)", "unmatched ')'"),
        ("cuntry:SE", "unknown field 'cuntry'"),
        ("year:20x9", "year at column 1"),
        ("kommun OR", "OR at column 8"),
        ("k*mmun", "'*' at column 2 is only allowed at the end"),
        ("a kom?mun", "'?' at column 6 is only allowed at the end"),
        ("country:", "needs a value"),
    ],
)
def test_malformed_queries_say_what_and_where(engine: Engine, query: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(engine, query)


def test_cli_malformed_query_exits_2_with_one_line(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--corpus", str(fixture_index.corpus_dir), "--index", str(fixture_index.index_dir)]
    assert main([*base, "query", '"unclosed']) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_command_line_that_is_not_utf8_is_one_line_not_a_crash(
    fixture_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python keeps the bytes of a command line typed in a terminal of another encoding as
    lone surrogates; the stemmers cannot encode them (a traceback before)."""
    base = ["--corpus", str(fixture_index.corpus_dir), "--index", str(fixture_index.index_dir)]
    latin1 = b"f\xf6retag".decode("utf-8", "surrogateescape")  # företag in Latin-1
    for command in (["query", latin1], ["query", f'"{latin1} i"'], ["ask", f"vad är {latin1}?"]):
        assert main([*base, *command]) == 2, command
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "not UTF-8 at column" in err, err
        assert "Traceback" not in err


def test_cli_json_shape(fixture_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--corpus", str(fixture_index.corpus_dir), "--index", str(fixture_index.index_dir)]
    assert main([*base, "query", "--country", "SE", "--limit", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "query",
        "page",
        "limit",
        "sort",
        "total_documents",
        "total_passages",
        "hits",
        "facets",
        "suggestion",
        "timing_ms",
    }
    assert len(data["hits"]) == 1 and "SE" in data["hits"][0]["country"]
    assert {"title", "citation", "page", "snippet", "highlights", "path"} <= set(data["hits"][0])
    assert {v["value"] for v in data["facets"]["country"]} == {"SE", "LV", "BY"}


def test_cli_exports_every_hit(fixture_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--corpus", str(fixture_index.corpus_dir), "--index", str(fixture_index.index_dir)]
    assert main([*base, "query", "--limit", "1", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("title,citation") and len(lines) == 1 + 6
    assert main([*base, "query", "Valmierā", "--format", "md"]) == 0
    assert "**Sociālais uzņēmums Valmierā**" in capsys.readouterr().out


def test_a_passage_saying_several_words_in_one_sentence_ranks_above_one_scattering_them(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BM25 prefers the short note that repeats each word in sentences of their own; a
    person typing three words means them together, and gets the report that says them in
    one sentence first, with scores still best first."""
    from pathlib import Path

    from search.retrieval import together
    from tests.conftest import corpus_of

    scattered = (
        "# Hamnen\n\nHamnen är gammal. Fisket är viktigt. Bidraget kom sent. Hamnen igen. "
        "Fisket igen. Bidraget igen.\n"
    )
    one_sentence = (
        "# Årsrapport\n\nKommunen gav hamnen ett bidrag till fisket i våras. Under året "
        "hölls också möten om skolor, vägar, parker, bibliotek och bussar i hela staden, och "
        "föreningarna planerade fester för sommaren och vintern.\n"
    )
    assert isinstance(tmp_path, Path)
    service = corpus_of(
        tmp_path, {"notis.md": scattered.encode(), "rapport.md": one_sentence.encode()}
    )
    assert not service.run_index().failed
    query = SearchRequest(text="hamnen fisket bidrag")
    found = service.search(query)
    assert [h.source_key for h in found.hits] == ["rapport.md", "notis.md"]
    assert found.hits[0].score >= found.hits[1].score
    two_words = service.search(SearchRequest(text="fisket bidrag"))
    assert [h.source_key for h in two_words.hits] == ["notis.md", "rapport.md"]
    # the evaluation's BM25 baseline is ranked without it
    plain = service.engine.retrieve(query, 10, plain=True)
    assert [h.source_key for h in plain] == ["notis.md", "rapport.md"]
    monkeypatch.setattr(together, "MIN_WORDS", 99)  # BM25 alone
    service.close()
    assert [h.source_key for h in service.search(query).hits] == ["notis.md", "rapport.md"]


def test_reordering_keeps_every_passage_and_scores_best_first() -> None:
    import numpy as np

    from search.retrieval import together

    rng = np.random.default_rng(5)
    for _ in range(200):
        n = int(rng.integers(1, 30))
        scores = np.sort(rng.random(n) * 10)[::-1]
        ids = rng.permutation(1000)[:n]
        gained = rng.random(min(n, together.RERANKED)).tolist()
        new_ids, new_scores = together.reordered(ids, scores, gained)
        assert sorted(new_ids.tolist()) == sorted(ids.tolist())
        assert (np.diff(new_scores) <= 1e-12).all()
        assert (
            new_ids[0]
            == ids[: len(gained)][
                int(np.argmax(scores[: len(gained)] + scores[0] * np.asarray(gained)))
            ]
        )


def test_a_new_process_marks_the_words_of_hits_as_the_index_kept_them(
    fixture_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index keeps the terms its words were indexed as (`word_forms`): a process that
    opens it marks the words of its hits without asking the dictionaries about them (10
    to 25 µs a word, most of a first phrase search's time), and marks the same words as
    when it has to ask."""
    from search.indexing import word_forms
    from search.service import open_search
    from search.text import analysis, lemmas

    asked: list[str] = []
    dictionary = lemmas._dictionary

    class Recorded:
        def __init__(self, language: str) -> None:
            self._hunspell = dictionary(language)

        def analyze(self, word: str) -> list[str]:
            asked.append(word)
            return list(self._hunspell.analyze(word))

    def new_process() -> list[list[tuple[str, bool]]]:
        """As a process starting: nothing analysed yet; the marked snippets of a few
        searches, in Swedish, Latvian and Russian."""
        for cached in (
            analysis._stems,
            analysis._tokens,
            analysis.analyze_token,
            analysis.folded_term,
        ):
            cached.cache_clear()
        word_forms._learnt.clear()
        asked.clear()
        engine = open_search(fixture_index)
        try:
            hits = [
                h
                for query in ("kommunen", "pašvaldība", '"sociālais uzņēmums"', "предприятие")
                for h in run(engine, query).hits
            ]
        finally:
            engine.close()
        assert len(hits) >= 6
        return [[(s.text, s.match) for s in h.snippet] for h in hits]

    monkeypatch.setattr(lemmas, "_dictionary", Recorded)
    kept = new_process()
    query_words = {"kommunen", "pašvaldība", "sociālais", "uzņēmums", "предприятие"}
    assert set(asked) <= query_words  # (as other languages' words: not in the index)

    monkeypatch.setattr(word_forms, "learn", lambda reader: None)
    asking = new_process()
    assert len(set(asked) - query_words) > 20  # the words of hits that could be marked
    assert kept == asking
