"""The one table of a document's describing fields: country, language, type, year, ….

Everything that names such a field is derived from `FIELDS`: the Whoosh schema, the stored
values the indexer writes and the engine decodes, the facets and their order, the names the
query language accepts (`org:…`), the CLI's filter options, the JSON keys of a hit, the TUI's
facet panel and which sidecar keys are allowed. Adding a row adds a facet everywhere.

The table is read through `table()` at call time, not copied at import, so a test can add a
row and see it arrive in every one of those places.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.models import Document, Hit


@dataclass(frozen=True, slots=True)
class Field:
    """One describing field of a document (or, for `lang`, of each passage)."""

    name: str
    """Index field and facet name."""
    label: str
    """How a person reads it: the facet panel's heading, the CLI's help."""
    aliases: tuple[str, ...] = ()
    """Other names a query (`org:…`) and a sidecar (`type = …`) may use."""
    many: bool = False
    """A document may have several values (stored comma-separated)."""
    numeric: bool = False
    """Values are whole numbers (a year): filtered by range, `2015..2018`."""
    per_passage: bool = False
    """The value belongs to each passage (its detected language), not to the document."""
    attribute: str = ""
    """The attribute of `Hit` holding it; empty for a field only this table knows."""
    json_key: str = ""
    """Its key in a hit's JSON record (default: the name)."""
    option: str = ""
    """Its CLI option (default: `--name`)."""
    help: str = ""
    default: str = ""
    """The value a document without one gets."""

    @property
    def key(self) -> str:
        return self.json_key or self.name

    @property
    def flag(self) -> str:
        return self.option or f"--{self.name.replace('_', '-')}"


FIELDS: tuple[Field, ...] = (
    Field(
        "country",
        "Country",
        many=True,
        attribute="country",
        help="countries, comma-separated: SE,LV,BY or names (Sweden, Latvija, Беларусь)",
    ),
    Field(
        "lang",
        "Language",
        ("language",),
        per_passage=True,
        attribute="language",
        json_key="language",
        help="passage languages: sv,lv,ru,en,be,other or names (Russian)",
    ),
    Field(
        "doc_type",
        "Type",
        ("type",),
        attribute="doc_type",
        json_key="type",
        option="--type",
        help="document types: report,case,article,web page,…",
        default="document",
    ),
    Field(
        "year",
        "Year",
        numeric=True,
        attribute="year",
        help="a year or a range: 2016, 2015..2018, 2019..",
    ),
    Field(
        "organisation",
        "Organisation",
        ("org", "organization"),
        many=True,
        attribute="organisation",
        option="--org",
        help="organisations, comma-separated",
    ),
    Field(
        "municipality",
        "Municipality",
        ("place",),
        many=True,
        attribute="municipality",
        help="municipalities, comma-separated",
    ),
    Field("source", "Source", attribute="source", help="pdf,html,text"),
)
"""In the order results show the facets."""


def table() -> tuple[Field, ...]:
    return FIELDS


def facet_names() -> tuple[str, ...]:
    return tuple(f.name for f in table())


def named(name: str) -> Field:
    """The field called `name` or one of its aliases (case-insensitive); KeyError if none."""
    wanted = name.lower()
    for f in table():
        if wanted == f.name or wanted in f.aliases:
            return f
    raise KeyError(name)


def query_names() -> tuple[str, ...]:
    """The names the query language's error message offers: those of the CLI options."""
    return tuple(f.flag.removeprefix("--") for f in table())


def encode(f: Field, values: tuple[str, ...]) -> str | int | None:
    """The stored form: a comma list, a number, or a single value."""
    if f.numeric:
        return int(values[0]) if values else None
    if f.many:
        return ",".join(v.replace(",", " ") for v in values)
    return values[0] if values else f.default


def decode(f: Field, stored: object) -> tuple[str, ...]:
    if stored is None or stored == "":
        return ()
    if isinstance(stored, int):
        return (str(stored),)
    text = str(stored)
    return tuple(v for v in text.split(",") if v) if f.many else (text,)


def document_values(f: Field, doc: Document) -> tuple[str, ...]:
    """A document's values of a document-level field, as the indexer stores them."""
    if f.name == "source":
        return (doc.source,)
    m = doc.metadata
    raw = getattr(m, f.attribute) if f.attribute else dict(m.extra).get(f.name, ())
    return _as_values(raw) or ((f.default,) if f.default else ())


def hit_values(f: Field, hit: Hit) -> tuple[str, ...]:
    raw = getattr(hit, f.attribute) if f.attribute else dict(hit.extra).get(f.name, ())
    return _as_values(raw)


def hit_attributes(stored: dict[str, object]) -> dict[str, object]:
    """The `Hit` keyword arguments of the table's fields, from a passage's stored values;
    fields without an attribute go into `extra`."""
    out: dict[str, object] = {}
    extra: list[tuple[str, tuple[str, ...]]] = []
    for f in table():
        values = decode(f, stored.get(f.name))
        if not f.attribute:
            extra.append((f.name, values))
        elif f.numeric:
            out[f.attribute] = int(values[0]) if values else None
        elif f.many:
            out[f.attribute] = values
        else:
            out[f.attribute] = values[0] if values else ""
    out["extra"] = tuple(extra)
    return out


def _as_values(raw: object) -> tuple[str, ...]:
    if raw is None or raw == "":
        return ()
    if isinstance(raw, tuple | list):
        return tuple(str(v) for v in raw if v)
    return (str(raw),)
