"""Questions and answers over the sample corpus, with the quality gate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.qa_eval import evaluate, questions
from search.cli import main
from search.retrieval.answer_kinds import answer_type, answering_phrase
from search.retrieval.engine import Engine
from search.retrieval.qa import ask
from search.service import SearchService, open_search
from search.settings import Settings
from search.text.sentences import sentences

PINNED = Path(__file__).parent / "data" / "qa_pinned.json"


@pytest.fixture(scope="module")
def team_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchService]:
    """The team's Latvian, Swedish and Russian documents, indexed."""
    from bench import public_qa

    service = public_qa.team_service(tmp_path_factory.mktemp("team"))
    yield service
    service.close()


@pytest.fixture(scope="module")
def sample_engine(sample_index: Settings) -> Iterator[Engine]:
    engine = open_search(sample_index)
    yield engine
    engine.close()


def test_quality_gate_against_the_pinned_figures(sample_engine: Engine) -> None:
    """Raising the pinned figures in tests/data/qa_pinned.json is a deliberate commit."""
    pinned = json.loads(PINNED.read_text())
    result = evaluate(SearchService(sample_engine.settings))["project"]["all"]
    assert result["recall@5"] >= pinned["recall@5"] - 0.05, result
    assert result["mrr"] >= pinned["mrr"] - 0.05, result
    assert result["answer_accuracy"] >= pinned["answer_accuracy"] - 0.05, result
    assert len(questions()) >= 80
    test_half = evaluate(SearchService(sample_engine.settings))["project"]["test"]
    assert test_half["answer_accuracy"] >= pinned["answer_accuracy_test_half"] - 0.05, test_half


def test_the_teams_latvian_swedish_and_russian_questions_keep_their_pinned_figures() -> None:
    """Every half of the team's questions over real documents (tests/data/team_questions.json):
    no answer figure may fall, no refusal of an answerable question may be added, no
    refusal of an unanswerable one lost, and the same questions typed as keyword searches
    find the passage holding the answer no less often. A question is 7 to 12 points of its
    half."""
    from bench import public_qa

    result = public_qa.evaluate_languages()
    for half, figures in json.loads(PINNED.read_text())["team"].items():
        got = result["project"][half]
        for metric, value in figures.items():
            if metric == "refused" and not half.endswith("unanswerable"):
                assert got[metric] <= value + 1e-9, (half, got)
            else:
                assert got[metric] >= value - 1e-9, (half, metric, got)
        assert result["baseline"][half]["n"] == got["n"]


def test_the_first_400_public_questions_keep_their_pinned_figures() -> None:
    """The SQuAD excerpt's first 400 questions (development half; `make bench` runs all
    2,623): no answer or search figure may fall, no refusal be added, and the project stays
    ahead of the BM25 baselines measured beside it (sentences for answers, paragraphs for
    the keyword search)."""
    from bench import public_qa

    result = public_qa.evaluate(limit=400)
    got, base = result["project"]["dev"], result["baseline"]["dev"]
    pinned = json.loads(PINNED.read_text())["public_first_400"]
    assert got["n"] == base["n"] == 400
    for metric, value in pinned.items():
        if metric == "refused":
            assert got[metric] <= value + 1e-9, got
        else:
            assert got[metric] >= value - 1e-9, (metric, got)
    assert got["answer@1"] >= base["answer@1"] + 0.05, (got, base)
    # the same questions typed as a keyword search: the paragraph first, ahead of BM25
    searched, bm25 = result["project"]["dev search"], result["baseline"]["dev search"]
    for metric, value in json.loads(PINNED.read_text())["public_first_400_search"].items():
        assert searched[metric] >= value - 1e-9, (metric, searched)
    # ahead here; the issue's +0.02 is on the whole development half (`make bench`)
    assert searched["R@1"] > bm25["R@1"] and searched["MRR@10"] > bm25["MRR@10"], (searched, bm25)


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("Сколько человек работает в пекарне Каравай?", "одиннадцать"),
        ("How many people work at the Karavai bakery?", "eleven"),
    ],
)
def test_how_many_is_answered_by_a_number_in_words_not_by_a_year(
    sample_engine: Engine, question: str, number: str
) -> None:
    result = ask(sample_engine, question)
    assert result.answers and number in result.answers[0].text


def test_the_answering_number_is_marked_in_json_and_on_the_card(sample_engine: Engine) -> None:
    import json

    from search import render
    from ui.cards import answer_prompt

    result = ask(sample_engine, "Сколько человек работает в пекарне Каравай?")
    first = json.loads(render.answers_json(result))["answers"][0]
    span = first["answer_span"]
    assert span["text"] == "одиннадцать"
    assert first["sentence"][span["start"] : span["end"]] == "одиннадцать"
    card = answer_prompt(result.answers[0])
    at = card.plain.index("одиннадцать")
    assert any("underline" in str(s.style) and s.start <= at < s.end for s in card.spans), (
        card.spans
    )
    no_number = ask(sample_engine, "Vad gör Skogsgruppen i Umeå?")
    assert all(a.phrase == "" for a in no_number.answers)


def test_a_question_with_no_answer_says_so(sample_engine: Engine) -> None:
    result = ask(sample_engine, "How much does a ticket to the opera in Vilnius cost?")
    assert not result.confident and result.answers == ()
    assert result.closest, "the closest passages are still shown"
    nothing = ask(sample_engine, "What is the capital of Australia?")
    assert not nothing.confident and nothing.answers == () and nothing.closest == ()


def test_a_question_naming_a_country_is_restricted_to_it(sample_engine: Engine) -> None:
    result = ask(sample_engine, "Vilka hinder möter sociala företag i Lettland?")
    assert ("country", ("LV",)) in result.filters
    assert result.ranked_passages and all("LV" in h.country for h in result.ranked_passages)


@pytest.mark.parametrize(
    "question",
    [
        "Hur många deltagare hade Returhuset i arbetsträning under 2018?",
        'Cik porciju katru dienu piegādā "Zaļā virtuve"?',
        "Сколько пожилых людей обслуживает центр «Забота» в Бресте?",
        "When did the Latvian Social Enterprise Law come into force?",
    ],
)
def test_every_answer_cites_a_page_that_contains_it(
    sample_engine: Engine, sample_index: Settings, question: str
) -> None:
    result = ask(sample_engine, question)
    assert result.confident and result.answers
    for answer in result.answers:
        shown = SearchService(sample_index).show(answer.hit.source_key)
        assert shown is not None
        on_page = " ".join(p.text for p in shown.passages if p.page == answer.hit.page)
        assert answer.text in on_page
        assert answer.hit.title and answer.hit.source_key


def test_the_best_answer_holds_the_fact(sample_engine: Engine) -> None:
    result = ask(
        sample_engine, "How many meals a day does Zaļā virtuve deliver to day centres in Riga?"
    )
    assert "350 meals a day" in result.answers[0].text
    assert any(s.match for s in result.answers[0].sentence)


def test_sentences_respect_abbreviations_and_ordinals() -> None:
    text = "Avtalet gäller t.ex. i tre år. Det började 2018. gadā sākās projekts. Sedan kom nästa."
    spans = [text[s:e] for s, e in sentences(text)]
    assert spans[0] == "Avtalet gäller t.ex. i tre år."
    assert spans[-1] == "Sedan kom nästa."


def test_cli_ask_json(sample_index: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--corpus", str(sample_index.corpus_dir), "--index", str(sample_index.index_dir)]
    assert (
        main(
            [
                *base,
                "ask",
                "Cik",
                "klientus",
                "apkalpoja",
                "biedrība",
                "Sirsnīgās",
                "rokas?",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["confident"] is True
    first = data["answers"][0]
    assert "160 klientus" in first["sentence"]
    assert {"title", "citation", "page", "path", "country", "language", "before", "after"} <= set(
        first
    )


def test_cli_ask_respects_a_year_range(
    sample_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--corpus", str(sample_index.corpus_dir), "--index", str(sample_index.index_dir)]
    question = ["Hur", "många", "deltagare", "hade", "Returhuset?"]
    assert main([*base, "ask", *question, "--year", "2019", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["confident"] is True
    assert main([*base, "ask", *question, "--year", "2021..", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["confident"] is False and all(h["year"] >= 2021 for h in data["closest"])


def test_a_weak_answer_is_offered_and_said_to_be_unsure(tmp_path: Path) -> None:
    """The best sentence is not hidden when it holds only some of the question's words: it
    is offered, marked unsure (text, JSON, CSV), on public questions (SQuAD train)."""
    from search import render
    from tests.conftest import TESTDATA, corpus_of

    data = json.loads((TESTDATA / "qa" / "squad11_train_excerpt_en.json").read_text())
    article = next(a for a in data["data"] if a["title"] == "Arena_Football_League")
    files = {f"p{n:03d}.txt": p["context"].encode() for n, p in enumerate(article["paragraphs"])}
    service = corpus_of(tmp_path, files)
    assert not service.run_index().failed
    unsure = None
    for paragraph in article["paragraphs"]:
        for qa in paragraph["qas"]:
            result = service.ask(qa["question"])
            if result.confident and not result.answers[0].sure:
                unsure = result
                break
        if unsure:
            break
    assert unsure is not None, "some public question has a weak best sentence"
    assert f"1. ({render.UNSURE})" in render.answers_text(unsure, colour=False)
    assert json.loads(render.answers_json(unsure))["answers"][0]["sure"] is False
    assert render.answers_export(unsure, "csv").splitlines()[1].endswith(",no")


def test_who_and_where_questions_mark_the_name_that_answers(tmp_path: Path) -> None:
    """A "who" question's answer marks the person it names (JSON `answer_span`, the card's
    underline) on a public question (SQuAD train, development half)."""
    from search import render
    from tests.conftest import TESTDATA, corpus_of
    from ui.cards import answer_prompt

    data = json.loads((TESTDATA / "qa" / "squad11_train_excerpt_en.json").read_text())
    article = next(a for a in data["data"] if a["title"] == "Arena_Football_League")
    files = {f"p{n:03d}.txt": p["context"].encode() for n, p in enumerate(article["paragraphs"])}
    service = corpus_of(tmp_path, files)
    assert not service.run_index().failed
    result = service.ask("Who owned the Dallas Desperados?")
    marked = [a for a in result.answers if a.phrase == "Jerry Jones"]
    assert marked, [(a.text, a.phrase) for a in result.answers]
    shown = json.loads(render.answers_json(result))["answers"][result.answers.index(marked[0])]
    span = shown["answer_span"]
    assert shown["sentence"][span["start"] : span["end"]] == "Jerry Jones"
    card = answer_prompt(marked[0])
    at = card.plain.index("Jerry Jones")
    assert any("underline" in str(s.style) and s.start <= at < s.end for s in card.spans)
    # a name the question itself holds is not the answer
    assert all("Desperados" not in a.phrase for a in result.answers)


def test_a_question_asking_which_year_wants_a_year_and_marks_it(tmp_path: Path) -> None:
    """ "In what year…" asks "when" without the word: the year is the kind of thing asked
    for, and it is marked (public questions, SQuAD train, development half)."""
    from tests.conftest import TESTDATA, corpus_of

    data = json.loads((TESTDATA / "qa" / "squad11_train_excerpt_en.json").read_text())
    article = next(a for a in data["data"] if a["title"] == "Arena_Football_League")
    files = {f"p{n:03d}.txt": p["context"].encode() for n, p in enumerate(article["paragraphs"])}
    service = corpus_of(tmp_path, files)
    assert not service.run_index().failed
    for question, year in (
        ("In what year was War on the Floor released?", "2001"),
        ("What year introduced the free substitution rule?", "2007"),
        ("When was the first AFL season played?", "June 20, 1987"),  # "when": the whole date
    ):
        result = service.ask(question)
        assert result.confident and result.answers[0].phrase == year, result.answers[0]


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("How many people work there?", "number"),
        ("How long did the project last?", "number"),
        ("Hur länge pågick projektet?", "number"),
        ("Cik cilvēku tur strādā?", "number"),
        ("Сколько человек там работает?", "number"),
        ("What is the number of missing persons?", "number"),
        ("Какое количество мест в кафе?", "number"),
        ("How did a receptionist describe the atmosphere?", ""),
        ("Hur beskrev hon stämningen?", ""),
        ("Why did so many people leave?", ""),
    ],
)
def test_how_asks_for_a_number_only_before_a_word_of_quantity(question: str, wanted: str) -> None:
    """A card marks a number in the answer, and ranks sentences holding one higher, only
    when a number is asked for: "How did she describe it?" is answered by words."""
    assert answer_type(question) == wanted


@pytest.mark.parametrize(
    ("sentence", "question", "marked"),
    [
        ("It opened on August 30, 2008 in Sichuan.", "When did it open?", "August 30, 2008"),
        ("It opened on August 30, 2008 in Sichuan.", "In what year did it open?", "2008"),
        ("The quake struck on 12 May 2008.", "When did the quake strike?", "12 May 2008"),
        ("Since May 2008 it may rain.", "When did it start?", "May 2008"),
        (
            "Svētki notiks 2012. gada 15. novembrī Rīgā.",
            "Kad notiks svētki?",
            "2012. gada 15. novembrī",
        ),
        ("Указ подписан 5 марта 1999 г. в Минске.", "Когда подписан указ?", "5 марта 1999"),
        ("Rapporten kom den 3 maj.", "När kom rapporten?", "3 maj"),
        ("It was in 2008.", "When was it?", "2008"),
    ],
)
def test_a_when_question_marks_the_date_as_written(
    sentence: str, question: str, marked: str
) -> None:
    """ "When" is answered by a date: the day and month beside the year are marked with it
    (or alone, where no year is written); "in what year" marks the year."""
    assert answering_phrase(sentence, answer_type(question), question) == marked


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("Kā sauc Andra Vilka grāmatu?", "Grūtupa fenomens"),
        ("Vad kallas skyddshandskar som fungerar mot kemikalier?", "kemskyddshandskar"),
        ("Kur notiks grāmatas atvēršanas svētki?", "Jāņa Rozes grāmatnīcā"),
    ],
)
def test_what_is_called_wants_a_title_or_term_and_latvian_where_a_locative(
    team_service: SearchService, question: str, phrase: str
) -> None:
    """A question asking what something is called is answered by the sentence naming it
    (a title in quotes, the word after "kallas"), not by one with some other capitalised
    name; a Latvian "kur" by the place said in the locative. The phrase is marked (the
    team's questions over real documents, development half)."""
    result = team_service.ask(question)
    assert result.confident
    assert result.answers[0].phrase == phrase, [(a.text, a.phrase) for a in result.answers]


def test_every_answer_the_team_wrote_is_in_its_documents_text() -> None:
    from bench import public_qa
    from search.ingest.extract import process_file
    from search.settings import Limits

    data = public_qa.team_questions()
    texts = {}
    for documents in data["documents"].values():
        for rel in documents:
            path = public_qa.REAL / rel
            doc = process_file(path, path.name, path.parent, Limits())
            texts[rel] = " ".join(p.text for p in doc.passages).lower()
    answerable = [q for q in data["questions"] if q["doc"]]
    assert len(answerable) >= 60 and len(data["questions"]) - len(answerable) >= 15
    for q in answerable:
        assert q["answer"].lower() in texts[q["doc"]], q


def test_swedish_compounds_meet_their_parts_in_a_question_and_in_the_text(
    tmp_path: Path,
) -> None:
    """`rovdjursinventeringen` is answered by "Inventeringen … rovdjuren …" and `produkter`
    by "… epoxiprodukter" (real agency pages)."""
    from tests.conftest import TESTDATA, corpus_of

    service = corpus_of(
        tmp_path,
        {
            "nfs.html": TESTDATA / "html/sv/naturvardsverket-nfs-2007-10.html",
            "afs.html": TESTDATA / "html/sv/av-afs-2011-19-landingpage.html",
        },
    )
    assert not service.run_index().failed
    parts = service.ask("Vad ska rovdjursinventeringen hjälpa till att förhindra?")
    assert parts.confident and "faunakriminalitet" in parts.answers[0].text
    head = service.ask("Vilka produkter handlar broschyren om att arbeta säkert med?")
    assert head.confident and "epoxiprodukter" in head.answers[0].text


def test_ask_answers_with_the_sentence_its_weights_score_highest(sample_engine: Engine) -> None:
    """The features the fitting tool reads are the ones `ask` scores: its first answer is
    the sentence whose weighted features sum highest."""
    service = SearchService(sample_engine.settings)
    question = "How many participants did Returhuset have in work training in 2018?"
    found = service.sentence_features(question)
    weights = [w for _, w in service.answer_weights()]
    assert found and all(len(f) == len(weights) for _, _, f in found)
    best = max(found, key=lambda row: sum(w * x for w, x in zip(weights, row[2], strict=True)))
    answer = service.ask(question)
    assert answer.confident and answer.answers[0].text == best[1].strip()
    assert "34 participants" in best[1]


def test_fitting_finds_the_feature_that_marks_the_right_sentence() -> None:
    """bench/fit_answers.py: on questions where only the second feature tells the right
    sentence from the others, the fitted weights choose it every time; the starting
    weights (all on the first feature) do not."""
    import numpy as np

    from bench.fit_answers import Question, first_right, fit

    rng = np.random.default_rng(5)
    questions = []
    for _ in range(30):
        features = rng.random((6, 3))
        features[:, 1] = 0.0
        features[0, 1] = 1.0  # the right one
        features[0, 0] = 0.0  # and the first feature misleads
        questions.append(Question("en", features, np.arange(6) == 0))
    start = np.array([1.0, 0.0, 0.0])
    assert first_right(questions, start)["en"] == 0.0
    assert first_right(questions, fit(questions, start))["en"] == 1.0
