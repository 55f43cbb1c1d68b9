"""A small corpus written for the tests: a few documents per language, with metadata.

Each document's facts are chosen so tests can predict exactly what a query must find.
"""

from __future__ import annotations

from pathlib import Path

DOCS: dict[str, str] = {
    "se/uppsala-kafe.md": """# Kafé Trädgården i Uppsala

Det sociala företaget Kafé Trädgården driver sedan 2017 ett kafé i Uppsala kommun. Företaget
erbjuder arbetsträning för personer som har stått långt från arbetsmarknaden. Kommunen köper
platser genom ett avtal som bygger på reserverad upphandling, och Arbetsförmedlingen bidrar med
lönestöd. Samarbetet med kommunen har gett tolv personer anställning under tre år.

## Utmaningar

Det svåraste har varit att kommunens upphandlingsregler ändras ofta. Ett kommunsamarbete kräver
långsiktiga avtal, säger verksamhetschefen, annars kan det sociala företaget inte planera sin
verksamhet eller anställa handledare för mer än ett år i taget.
""",
    "se/uppsala-kafe.md.meta.toml": """title = "Kafé Trädgården: arbetsträning i Uppsala"
country = "SE"
type = "case"
year = 2019
organisation = ["Kafé Trädgården"]
municipality = ["Uppsala"]
""",
    "se/_meta.toml": 'country = "SE"\n',
    "se/malmo-atervinning.md": """# Återbruk i Malmö

Ett kooperativ i Malmö tar emot möbler från kommunens förvaltningar och reparerar dem. Arbetet
ger praktikplatser åt unga vuxna. Kooperativet fick ett bidrag från kommunen under två år, men
ingen långsiktig finansiering. Socialföretaget hoppas nu på en ny modell för idéburet offentligt
partnerskap, där kommunen och föreningen delar ansvaret för verksamheten och dess resultat.
""",
    "se/malmo-atervinning.md.meta.toml": """country = "SE"
type = "case"
year = 2021
organisation = ["Återbruket Malmö ekonomisk förening"]
municipality = ["Malmö"]
""",
    "lv/_meta.toml": 'country = "LV"\ntype = "case"\n',
    "lv/valmiera.md": """# Sociālais uzņēmums Valmierā

Sociālais uzņēmums "Zaļā darbnīca" sadarbojas ar Valmieras novada pašvaldību kopš 2018. gada.
Uzņēmums nodarbina cilvēkus ar invaliditāti un remontē mēbeles pašvaldības skolām. Pašvaldība
slēdz līgumu par pakalpojumiem un palīdz ar telpām. Sadarbība ar pašvaldību ir bijusi veiksmīga,
tomēr publiskā iepirkuma noteikumi mazajiem uzņēmumiem joprojām ir sarežģīti.
""",
    "lv/valmiera.md.meta.toml": """year = 2020
organisation = ["Zaļā darbnīca"]
municipality = ["Valmieras novads"]
""",
    "lv/riga.md": """# Jauniešu centrs Rīgā

Biedrība Rīgā atvēra jauniešu centru, kurā jaunieši mācās programmēšanu un dizainu. Rīgas
pašvaldība finansē daļu no telpu īres, bet pārējo līdzekļu piesaista pats sociālais uzņēmums,
pārdodot pakalpojumus uzņēmumiem. Centrā strādā pieci darbinieki un divdesmit brīvprātīgie, un
katru gadu tajā mācās vairāk nekā simts jauniešu no visiem Rīgas rajoniem.
""",
    "lv/riga.md.meta.toml": """year = 2022
municipality = ["Rīga"]
""",
    "by/_meta.toml": 'country = "BY"\n',
    "by/minsk.html": """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Социальное предприятие в Минске</title></head>
<body><nav><a href="/">Главная</a> | <a href="/news">Новости</a></nav>
<div class="cookie">Мы используем файлы cookie. <button>Принять</button></div>
<article><h1>Социальное предприятие в Минске</h1>
<p>Социальное предприятие «Добрый хлеб» работает в Минске с 2016 года. Пекарня обучает
людей с инвалидностью и продаёт хлеб школам района. Администрация района помогла с арендой
помещения, а местный исполком заключил договор на поставку хлеба в детские сады.</p>
<p>Главная трудность — отсутствие закона о социальном предпринимательстве. Ещё одна проблема —
короткие договоры, которые не позволяют планировать работу больше чем на год вперёд.</p>
</article><footer>© 2023 Сеть социальных предприятий. Все права защищены.</footer></body></html>
""",
    "by/minsk.html.meta.toml": """type = "case"
year = 2016
organisation = ["Добрый хлеб"]
municipality = ["Минск"]
""",
    "en/overview.md": """# Social enterprises and municipalities: an overview

This overview compares how municipalities in Sweden, Latvia and Belarus cooperate with social
enterprises. In Sweden, reserved public procurement and work integration programmes are common.
In Latvia, the Social Enterprise Law of 2018 created a status that municipalities can rely on.
In Belarus, cooperation depends on district executive committees and short contracts.

## Recommendations

Municipalities should offer contracts longer than one year, publish simple procurement rules
and give social enterprises access to premises. Social enterprises should measure their social
impact and present it in terms a municipal budget committee understands.
""",
    "en/overview.md.meta.toml": """country = ["SE", "LV", "BY"]
type = "report"
year = 2019
organisation = ["Nordic Social Economy Network"]
""",
}


def write_fixture_corpus(root: Path) -> Path:
    for rel, text in DOCS.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
