"""Bytes → text for web pages and text files: declared charset first, else sniffed.

Russian pages without a declaration come as windows-1251 or KOI8-R. Each maps lowercase
and uppercase Cyrillic to opposite byte ranges, so the wrong guess yields mostly capitals:
the candidate giving more lowercase Cyrillic wins.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str:
    """The charset an HTML/XML head declares, or empty string."""
    head = data[:4096]
    for pattern in (_META_CHARSET, _XML_DECL):
        if m := pattern.search(head):
            name = m.group(1).decode("ascii", "ignore")
            try:
                return codecs.lookup(name).name
            except LookupError:
                return ""
    return ""


def _lowercase_cyrillic_share(text: str) -> float:
    cyr = [ch for ch in text if "\u0400" <= ch <= "\u04ff"]
    return sum(ch.islower() for ch in cyr) / len(cyr) if cyr else 0.0


def sniff(data: bytes) -> str:
    """Guess an undeclared single-byte encoding."""
    high = sum(b >= 0x80 for b in data)
    letters = sum(65 <= (b | 32) <= 122 for b in data) + high
    if not high:
        return "ascii"
    if high / max(letters, 1) < 0.3:
        return "cp1252"
    candidates = ("cp1251", "koi8_r")
    return max(candidates, key=lambda enc: _lowercase_cyrillic_share(data.decode(enc, "replace")))


def decode_bytes(data: bytes, declared: str) -> tuple[str, str]:
    """Decode with BOM, then the declared charset, then UTF-8, then a sniffed guess."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, "replace"), name
    if declared:
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if _mostly_utf8(data):  # a stray byte in a UTF-8 file: keep the rest right
            return data.decode("utf-8", "replace"), "utf-8"
        guess = sniff(data)
        return data.decode(guess, "replace"), guess


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few bad bytes: its valid multi-byte sequences far outnumber the errors."""
    text = data.decode("utf-8", "replace")
    errors = text.count("\ufffd") - data.decode("utf-8", "ignore").count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return multibyte > 0 and errors <= max(2, multibyte // 20)
