"""Country and language names in the four languages of the collection, to their codes.

`--country Sweden`, `country:Latvija` and `--country Беларусь` all mean what a person
means; an unknown name is refused with the list of codes, never silently matched to
nothing.
"""

from __future__ import annotations

from search.errors import QuerySyntaxError
from search.models import ALL_LANGUAGES

COUNTRIES: dict[str, tuple[str, ...]] = {
    "SE": ("sweden", "sverige", "zviedrija", "швеция", "швецыя", "swedish", "svensk"),
    "LV": ("latvia", "lettland", "latvija", "латвия", "латвія", "latvian", "lettisk"),
    "BY": (
        "belarus",
        "vitryssland",
        "baltkrievija",
        "беларусь",
        "белоруссия",
        "беларуская",
        "belarusian",
        "belarussian",
        "belorussia",
    ),
}
LANGUAGES: dict[str, tuple[str, ...]] = {
    "sv": ("swedish", "svenska", "zviedru", "шведский", "шведская", "swe"),
    "lv": ("latvian", "lettiska", "latviešu", "латышский", "латышская", "lav"),
    "ru": ("russian", "ryska", "krievu", "русский", "русская", "rus"),
    "en": ("english", "engelska", "angļu", "английский", "английская", "eng"),
    "be": ("belarusian", "vitryska", "baltkrievu", "белорусский", "беларуская", "bel"),
    "other": ("others", "annat", "cits", "другой", "другие"),
}


def _fold(value: str) -> str:
    return " ".join(value.split()).casefold()


_COUNTRY = {_fold(n): code for code, names in COUNTRIES.items() for n in (code, *names)}
_LANGUAGE = {_fold(n): code for code, names in LANGUAGES.items() for n in (code, *names)}


def country_code(value: str) -> str:
    """`SE`, `se`, `Sweden`, `Sverige`, `Zviedrija` or `Швеция` → `SE`."""
    code = _COUNTRY.get(_fold(value))
    if code is None:
        raise QuerySyntaxError(
            f"unknown country '{value}': use SE (Sweden), LV (Latvia) or BY (Belarus)"
        )
    return code


def language_code(value: str) -> str:
    """`ru`, `Russian`, `ryska`, `krievu` or `русский` → `ru`."""
    code = _LANGUAGE.get(_fold(value))
    if code is None:
        raise QuerySyntaxError(f"unknown language '{value}': use one of {', '.join(ALL_LANGUAGES)}")
    return code


def normalise(facet: str, value: str) -> str:
    """A filter value as stored: countries and languages by their codes, others as typed."""
    if facet == "country":
        return country_code(value)
    if facet == "lang":
        return language_code(value)
    return value
