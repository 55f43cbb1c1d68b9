"""Cleaning rules, each pinned on the kind of text that needs it."""

from __future__ import annotations

from search.text import clean


def test_spacing_macron_before_dotless_i_becomes_i_macron() -> None:
    assert clean.normalise("pašvald¯ıba") == "pašvaldība"


def test_spacing_caron_after_letter_is_recombined() -> None:
    assert clean.normalise("paˇsvaldība") == "pašvaldība"


def test_ligatures_are_expanded() -> None:
    assert clean.normalise("ﬁnancial ﬂow") == "financial flow"


def test_soft_hyphen_and_zero_width_space_disappear() -> None:
    assert clean.normalise("sam\u00adarbete\u200b") == "samarbete"


def test_words_hyphenated_across_lines_are_rejoined() -> None:
    assert clean.dehyphenate("ett kommun-\nsamarbete och") == "ett kommunsamarbete och"


def test_hyphen_before_capital_is_kept() -> None:
    assert "Nord-\nEuropa" in clean.dehyphenate("Nord-\nEuropa")


def test_running_headers_footers_and_page_numbers_are_removed() -> None:
    topics = ["procurement", "premises", "grants", "youth work", "elderly care"]
    pages = [
        f"Social enterprise report 2021\nChapter on {topic} and the municipality.\n"
        f"Cooperation on {topic} began early.\nNordic Network · page {n}\n{n}"
        for n, topic in enumerate(topics, start=1)
    ]
    cleaned = clean.strip_running_lines(pages)
    for page, topic in zip(cleaned, topics, strict=True):
        assert "Social enterprise report" not in page
        assert "Nordic Network" not in page
        assert f"Chapter on {topic}" in page and f"Cooperation on {topic}" in page
        assert not page.rstrip()[-1].isdigit()


def test_margin_line_numbers_are_stripped() -> None:
    text = "\n".join(f"{n} and the witness answered the question" for n in range(1, 12))
    cleaned = clean.strip_margin_numbers(text)
    assert cleaned.splitlines() == ["and the witness answered the question"] * 11


def test_margin_number_column_extracted_as_its_own_lines_is_dropped() -> None:
    text = "\n".join(str(n) for n in range(1, 26)) + "\nIN THE SUPREME COURT"
    assert clean.strip_margin_numbers(text).strip() == "IN THE SUPREME COURT"


def test_tab_separated_layout_rejoins_words_split_by_spaces() -> None:
    page = "\t".join(["Сэр", "Джон", "Монтегю", "граф", "барон", "ок оло", "английск ий"] * 6)
    repaired = clean.repair_tab_separated_words(page)
    assert "около" in repaired and "английский" in repaired and "\t" not in repaired


def test_reflow_joins_lines_into_paragraphs() -> None:
    text = "A long line of text that goes on and on for a while here\nand continues on the next line.\n\nNew paragraph."
    assert clean.reflow(text).split("\n\n") == [
        "A long line of text that goes on and on for a while here and continues on the next line.",
        "New paragraph.",
    ]


def test_latin_noise_from_a_font_without_unicode_map_is_garbage() -> None:
    noise = "ijbdZahfNKLWDJhkkbb hln_\\jZey] Lj_[h\\Zgby haZsbl_bgnhjfZpbbg_khklZ\\eyxs_c " * 3
    assert clean.garbage_reason(noise)


def test_text_in_the_wrong_code_page_is_garbage() -> None:
    russian = "Правила внутреннего распорядка для работников социального предприятия. " * 3
    assert "code page" in clean.garbage_reason(russian.encode("cp1251").decode("cp1252", "replace"))


def test_a_page_of_unmapped_glyphs_is_garbage_but_a_few_control_characters_are_not() -> None:
    unmapped = "\x03".join("ML<?J@>?GU ijbdZahf NKLWD Jhkkbb hl n_jZey".split()) * 4
    assert "Unicode map" in clean.garbage_reason(unmapped)
    formula = "Teiksim, a3 + b3 = (a + b)(a2 \x00 ab + b2) identitātes dēļ dalās reizinātājos. " * 3
    assert clean.garbage_reason(formula) == ""


def test_code_urls_formulas_and_leaders_are_not_garbage() -> None:
    for text in (
        "M2 = np.triu(bitxormatrix(genl2),1) for i in range(m-1): VT[(i)*n + r[k]] = 1 " * 3,
        "command=$(cat /var/log/nginx/access.log | cut −d ' ' −f1 | sort | uniq −c) " * 3,
        "Tillämpningsområde ........................................ 7\n" * 6,
        "https://www.av.se/globalassets/filer/publikationer/foreskrifter/afs-2023-6.pdf " * 4,
        "Hotell, restaurang EPref +/-10 % Kontor och förvaltning EPref +/-20 % " * 3,
        "サステナブルな社会的企業と自治体の協働についての報告書です。" * 3,
    ):
        assert clean.garbage_reason(text) == "", text


def test_real_text_is_not_garbage() -> None:
    for text in (
        "Sociala företag samarbetar med kommunen om arbetsträning och upphandling i Uppsala.",
        "Sociālais uzņēmums sadarbojas ar pašvaldību un nodarbina cilvēkus ar invaliditāti.",
        "Социальное предприятие работает в Минске и обучает людей с инвалидностью.",
        "ФЕДЕРАЛЬНАЯ СЛУЖБА ПО ТЕХНИЧЕСКОМУ И ЭКСПОРТНОМУ КОНТРОЛЮ (ФСТЭК России) ПРИКАЗ от 11 февраля",
    ):
        assert clean.garbage_reason(text * 2) == "", text


def test_a_table_of_contents_keeps_its_chapter_numbers() -> None:
    toc = "\n".join(f"{n} Chapter number {n} {n * 2 + 1}" for n in range(1, 12))
    assert clean.strip_margin_numbers(toc) == toc


def test_a_footer_ending_in_the_page_number_goes_even_on_a_single_page() -> None:
    page = "Case study\nThe association grew in 2018.\nJämtland Network for Social Enterprise 1"
    assert clean.strip_running_lines([page]) == ["Case study\nThe association grew in 2018."]
