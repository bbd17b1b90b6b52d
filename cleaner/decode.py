"""Pass 1, decode: bytes → str, and HTML or text.

Order of trust: a byte-order mark, then the charset the page declares (HTTP-equiv
or meta charset, XML declaration) if the bytes really decode with it, then UTF-8,
then detection. A declaration that is wrong (a cp1252 page that says UTF-8) fails
the strict decode and falls through to detection instead of producing mojibake.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"))
DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""",
                      re.IGNORECASE)
HTML_SNIFF = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|p|article)\b",
                        re.IGNORECASE | re.DOTALL)
# Share of control characters above which a "text" is taken to be binary.
BINARY_MAX_CONTROL = 0.1
CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
# Detection reads this much of a document: enough for any real page's head and body.
DETECT_MAX_BYTES = 200_000
WESTERN_DEFAULT = "cp1252"
# Labels pages declare that Python knows under another name, or that browsers widen.
WIDEN = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
         "us-ascii": "cp1252", "x-sjis": "shift_jis"}


class DecodeError(ValueError):
    """The bytes are not a text document (binary, or no encoding fits)."""


def looks_like_html(data: bytes) -> bool:
    return bool(HTML_SNIFF.match(data[:2048]))


def declared_charset(data: bytes) -> str | None:
    m = DECLARED.search(data[:4096])
    if not m:
        return None
    label = (m.group(1) or m.group(2)).decode("ascii", "ignore").lower()
    label = WIDEN.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(data: bytes, html: bool = False) -> str:
    return decode_keeping_utf8(data, html)[0]


def decode_keeping_utf8(data: bytes, html: bool = False) -> tuple[str, bytes | None]:
    """The text, and ``data`` too when it is the text's UTF-8 (no byte-order mark): the
    text passes cut their lines out of it instead of encoding them again."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), None
    # Codec names as codecs.lookup gives them (declared_charset), so UTF-8 is "utf-8".
    candidates = [declared_charset(data)] if html else []
    for name in [*candidates, "utf-8"]:
        if name:
            try:
                text = data.decode(name)
            except (UnicodeDecodeError, LookupError):
                continue
            return _check_text(text), data if name == "utf-8" else None
    detected = detect(data)
    if detected is None:
        raise DecodeError("binary or undecodable content (no text encoding fits)")
    return _check_text(data.decode(detected, errors="replace")), None


DOS_PAGES = ("cp437", "cp737", "cp775", "cp85", "cp86", "mac_")


def detect(data: bytes) -> str | None:
    """The likeliest encoding of undeclared (or wrongly declared) bytes.

    charset_normalizer often ranks several Western code pages exactly level (the
    same accented letters sit at the same bytes in cp1250, cp1252 and cp1257);
    among those ties cp1252 wins, as it is what browsers assume for an unlabeled
    Western page and by far the most common mis-declared charset on the web.
    """
    results = charset_normalizer.from_bytes(data[:DETECT_MAX_BYTES])
    best = results.best()
    if best is None:
        return None
    tied = {m.encoding for m in results
            if m.chaos == best.chaos and m.coherence == best.coherence}
    if WESTERN_DEFAULT in tied:
        return WESTERN_DEFAULT
    if best.encoding.startswith(DOS_PAGES) and _decodes(data, WESTERN_DEFAULT):
        # DOS and old Mac code pages are next to unknown on the web; a short cp1252 text
        # with curly quotes often scores better as cp852 only by chance.
        return WESTERN_DEFAULT
    return best.encoding


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _check_text(text: str) -> str:
    sample = text[:10_000]
    if sample and len(CONTROL.findall(sample)) / len(sample) > BINARY_MAX_CONTROL:
        raise DecodeError("binary content (control characters)")
    return text
