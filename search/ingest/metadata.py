"""Metadata from sidecars (`<file>.meta.toml`) and folder files (`_meta.toml`), validated.

Strongest first: the file's sidecar, then `_meta.toml` files from the nearest folder up
to the corpus root, then what the document says about itself, then inference. Each value
remembers where it came from so `search show` can explain it.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import fields as dataclass_fields
from pathlib import Path
from typing import Any

from search import fields
from search.errors import MetadataError
from search.models import ALL_LANGUAGES, Metadata

SIDECAR_SUFFIX = ".meta.toml"
FOLDER_FILE = "_meta.toml"

_ISO_3166 = set(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW".split()
)

_LIST_FIELDS = {"country", "organisation", "municipality"}
_TEXT_FIELDS = {"title", "doc_type", "url", "retrieved", "password", "language"}
_ALIASES = {"type": "doc_type", "organization": "organisation", "lang": "language"}
KNOWN_FIELDS = _LIST_FIELDS | _TEXT_FIELDS | {"year"}


def _as_list(value: Any, name: str, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise MetadataError(f"{where}: field '{name}' must be a text or a list of texts")
    return tuple(v.strip() for v in items)


def _added_field(key: str) -> fields.Field | None:
    """A field the field table adds beyond Metadata's own (no attribute of its own)."""
    try:
        f = fields.named(key)
    except KeyError:
        return None
    return None if f.attribute else f


def _validate(raw: dict[str, Any], where: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    extra: list[tuple[str, tuple[str, ...]]] = []
    for key, value in raw.items():
        name = _ALIASES.get(key, key)
        added = _added_field(key) if name not in KNOWN_FIELDS else None
        if added is not None:
            items = _as_list(value, added.name, where)[: 50 if added.many else 1]
            extra.append((added.name, tuple(capped(v, where, added.name) for v in items)))
            continue
        if name not in KNOWN_FIELDS:
            known = ", ".join(
                sorted(KNOWN_FIELDS | {f.name for f in fields.table() if not f.attribute})
            )
            raise MetadataError(f"{where}: unknown field '{key}' (known fields: {known})")
        if name in _LIST_FIELDS:
            items = _as_list(value, name, where)
            if name == "country":
                items = tuple(c.upper() for c in items)
                bad = [c for c in items if c not in _ISO_3166]
                if bad:
                    raise MetadataError(
                        f"{where}: field 'country' has {bad[0]!r}, not an ISO 3166-1 alpha-2 code "
                        "(SE, LV, BY, …)"
                    )
            values[name] = tuple(capped(v, where, name) for v in items[:50])
        elif name == "year":
            if isinstance(value, bool) or not isinstance(value, int) or not 1800 <= value <= 2200:
                raise MetadataError(
                    f"{where}: field 'year' must be a whole number like 2019, got {value!r}"
                )
            values[name] = value
        else:
            if isinstance(value, dt.date):
                value = value.isoformat()
            if not isinstance(value, str):
                raise MetadataError(f"{where}: field '{name}' must be text, got {value!r}")
            if name == "language" and value not in ALL_LANGUAGES:
                raise MetadataError(
                    f"{where}: field 'language' must be one of {', '.join(ALL_LANGUAGES)}, got {value!r}"
                )
            value = capped(value.strip(), where, name)
            values[name] = value.lower() if name == "doc_type" else value
    if extra:
        values["extra"] = tuple(extra)
    return values


MAX_META_BYTES = 64 * 1024
"""A metadata file larger than this is refused: no real sidecar comes near it."""
MAX_VALUE_CHARS = 1000
"""A longer title, organisation or other text value is cut here, with a warning."""


def read_toml(path: Path) -> dict[str, Any]:
    """A validated metadata table from one TOML file; MetadataError names file and field."""
    try:
        size = path.stat().st_size
        if size > MAX_META_BYTES:
            raise MetadataError(
                f"{path.name}: metadata file too large ({size} bytes, limit {MAX_META_BYTES})"
            )
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{path.name}: not valid TOML ({exc})") from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise MetadataError(f"{path.name}: a value is out of range ({exc})") from exc
    except OSError as exc:
        raise MetadataError(f"{path.name}: cannot be read ({exc.strerror})") from exc
    return _validate(raw, path.name)


def capped(value: str, where: str, name: str, warnings: list[str] | None = None) -> str:
    if len(value) <= MAX_VALUE_CHARS:
        return value
    if warnings is not None:
        warnings.append(f"{where}: field '{name}' cut to {MAX_VALUE_CHARS} characters")
    return value[:MAX_VALUE_CHARS].rstrip() + "…"


def meaningful_title(title: str) -> bool:
    """Producers often put a file name, a template's name or a placeholder where a
    document's title belongs (`report.docx`, `Microsoft Word - …`, `ReferatLagrummet`,
    `Dokument1`)."""
    title = title.strip()
    if not title or re.search(r"\.\w{2,4}$", title):
        return False
    if title.lower().startswith(("microsoft word", "untitled", "namnlös", "без названия")):
        return False
    one_word = " " not in title
    camel = re.search(r"[a-zà-ÿ][A-ZÀ-Þ]", title) is not None
    numbered = re.search(r"[^\W\d_]\d+$", title) is not None
    return not (one_word and (camel or numbered))


def _from_values(values: dict[str, Any], origin: str) -> Metadata:
    named = [k for k in values if k not in ("password", "extra")]
    named += [name for name, _ in values.get("extra", ())]
    return Metadata(**values, origin=tuple((k, origin) for k in named))


def _unset(value: object) -> bool:
    return value in ("", (), None)


def merge(strong: Metadata, weak: Metadata) -> Metadata:
    """Values of `strong` where set, else those of `weak`, each keeping its origin."""
    strong_origin, weak_origin = dict(strong.origin), dict(weak.origin)
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for f in dataclass_fields(Metadata):
        if f.name in ("origin", "extra"):
            continue
        mine = getattr(strong, f.name)
        value, where = (
            (getattr(weak, f.name), weak_origin) if _unset(mine) else (mine, strong_origin)
        )
        values[f.name] = value
        if f.name in where and not _unset(value):
            origin[f.name] = where[f.name]
    extra = dict(weak.extra) | dict(strong.extra)
    for name in extra:
        origin[name] = (strong_origin if name in dict(strong.extra) else weak_origin).get(name, "")
    values["extra"] = tuple(extra.items())
    return Metadata(**values, origin=tuple(sorted(origin.items())))


def declared_metadata(path: Path, corpus_root: Path) -> Metadata:
    """Sidecar plus inherited folder metadata for one file (raises MetadataError)."""
    result = Metadata()
    sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
    if sidecar.is_file():
        result = _from_values(read_toml(sidecar), "sidecar")
    folder = path.parent
    root = corpus_root.resolve()
    while True:
        folder_file = folder / FOLDER_FILE
        if folder_file.is_file():
            rel = (
                folder_file.resolve().relative_to(root)
                if folder.resolve().is_relative_to(root)
                else folder_file
            )
            result = merge(result, _from_values(read_toml(folder_file), f"folder {rel.as_posix()}"))
        if folder.resolve() == root or folder.parent == folder:
            break
        folder = folder.parent
    return result
