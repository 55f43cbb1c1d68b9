"""Last-resort text from a PDF page whose content stream pypdf rejects.

Fuzzed or damaged files often break one filter (a stray byte in hex data, an overflow
in ASCII85, a truncated deflate stream) while most of the page is still there. Here the
filters are decoded leniently and the strings shown by Tj/TJ are read directly. It only
helps pages drawn with simple fonts; anything else comes out as noise, which the garbage
check then refuses.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import Any

MAX_OUTPUT = 20_000_000

_HEX = re.compile(rb"[0-9A-Fa-f]")
_A85_GROUP = re.compile(rb"z|[!-u]{5}")
# Strings of printable characters only: in a damaged stream, a string holding control or
# binary bytes is a fragment of something else.
_STRING = rb"\(((?:\\[nrtbf()\\0-7]|[\x20-\x5b\x5d-\x7e])*)\)"
_SHOW = re.compile(
    _STRING + rb"\s*(?:Tj|'|\")|\[((?:" + _STRING + rb"|\s|-?\d+(?:\.\d+)?)*)\]\s*TJ"
)
_IN_ARRAY = re.compile(_STRING + rb"|(-?\d+(?:\.\d+)?)")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _hex(data: bytes) -> bytes:
    digits = b"".join(_HEX.findall(data.split(b">", 1)[0]))
    return binascii.unhexlify(digits[: len(digits) // 2 * 2])


def _a85(data: bytes) -> bytes:
    data = data.split(b"~>", 1)[0]
    out = bytearray()
    for group in _A85_GROUP.findall(data):
        try:
            out += base64.a85decode(group)
        except ValueError:
            continue  # one damaged group costs four bytes
    return bytes(out)


def _flate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = bytearray()
    for i in range(0, len(data), 4096):
        try:
            out += inflater.decompress(data[i : i + 4096], MAX_OUTPUT - len(out))
        except zlib.error:
            break  # keep what came out before the damage
        if len(out) >= MAX_OUTPUT:
            break
    return bytes(out)


_DECODERS = {
    "/ASCIIHexDecode": _hex,
    "/AHx": _hex,
    "/ASCII85Decode": _a85,
    "/A85": _a85,
    "/FlateDecode": _flate,
    "/Fl": _flate,
}


def _unescape(raw: bytes) -> str:
    def one(m: re.Match[bytes]) -> bytes:
        token = m.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8) & 0xFF])
        return _ESCAPES.get(token, token)

    return _ESCAPE.sub(one, raw).decode("latin-1")


def _stream_data(stream: Any) -> bytes:
    filters = stream.get("/Filter")
    names = [
        str(f) for f in (filters if isinstance(filters, list) else [filters] if filters else [])
    ]
    data: bytes = stream._data
    for name in names:
        decoder = _DECODERS.get(name)
        if decoder is None:
            return b""
        data = decoder(data)
    return data


def salvage_page_text(page: Any) -> str:
    """The shown strings of a damaged page, one space between text operations."""
    try:
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        streams = (
            contents if isinstance(contents, list) else [contents] if contents is not None else []
        )
        data = b"\n".join(_stream_data(s.get_object()) for s in streams)
    except Exception:  # the page object itself is damaged: nothing to salvage
        return ""
    pieces: list[str] = []
    for m in _SHOW.finditer(data):
        if m.group(1) is not None:
            pieces.append(_unescape(m.group(1)))
            continue
        word = []
        for s, kern in _IN_ARRAY.findall(m.group(2) or b""):
            if kern and float(kern) < -200:
                word.append(" ")
            elif s or not kern:
                word.append(_unescape(s))
        pieces.append("".join(word))
    return " ".join(p.strip() for p in pieces if p.strip())
