"""decode: BOM, then a declared charset that really fits, then UTF-8, then detection."""

from __future__ import annotations

import codecs

import pytest

from cleaner.decode import (DecodeError, decode, decode_keeping_utf8, declared_charset,
                            looks_like_html)

WESTERN = ("<html><head><title>Caf\u00e9</title></head><body><p>The caf\u00e9 on the corner "
           "served cr\u00e8me br\u00fbl\u00e9e \u2013 \u201cthe best in town\u201d, said the "
           "na\u00efve critic. M\u00fcller and Ga\u00ebl agreed; the bill was 5 \u20ac.</p>"
           "</body></html>")
FRENCH = ("<html><body><p>Le gar\u00e7on a servi un caf\u00e9 cr\u00e8me \u00e0 la terrasse, "
          "pr\u00e8s de la fen\u00eatre. \u00c0 Paris, l'\u00e9t\u00e9 est tr\u00e8s chaud et "
          "les rues sont anim\u00e9es.</p></body></html>")
JAPANESE = ("<html><body><p>\u4eca\u65e5\u306f\u6771\u4eac\u3067\u96e8\u304c\u964d\u308a\u307e"
            "\u3057\u305f\u3002\u99c5\u306e\u8fd1\u304f\u306e\u559c\u8336\u5e97\u306f\u3068\u3066"
            "\u3082\u6df7\u3093\u3067\u3044\u307e\u3057\u305f\u3002\u660e\u65e5\u306f\u6674\u308c"
            "\u308b\u3067\u3057\u3087\u3046\u3002</p></body></html>")


@pytest.mark.parametrize("text,encoding", [(WESTERN, "cp1252"), (FRENCH, "latin-1"),
                                           (JAPANESE, "shift_jis")],
                         ids=["cp1252", "latin-1", "shift_jis"])
def test_undeclared_encodings_are_detected(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), html=True) == text


def test_a_cp1252_page_that_declares_utf8_still_reads_right() -> None:
    page = WESTERN.replace("<head>", '<head><meta charset="utf-8">')
    data = page.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode(data, html=True) == page


def test_a_correct_declaration_is_trusted() -> None:
    page = FRENCH.replace("<body>", '<head><meta http-equiv="Content-Type" '
                                    'content="text/html; charset=ISO-8859-15"></head><body>')
    assert declared_charset(page.encode("iso-8859-15")) == "iso8859-15"
    assert decode(page.encode("iso-8859-15"), html=True) == page


def test_latin1_label_is_read_as_cp1252_like_browsers() -> None:
    page = WESTERN.replace("<head>", '<head><meta charset="iso-8859-1">')
    assert decode(page.encode("cp1252"), html=True) == page  # the euro sign and quotes survive


@pytest.mark.parametrize("bom,encoding", [(codecs.BOM_UTF8, "utf-8"),
                                          (codecs.BOM_UTF16_LE, "utf-16-le"),
                                          (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_bom_wins_over_everything(bom: bytes, encoding: str) -> None:
    page = WESTERN.replace("<head>", '<head><meta charset="windows-1252">')
    assert decode(bom + page.encode(encoding), html=True) == page


def test_the_bytes_are_kept_only_when_they_are_the_text_s_utf8() -> None:
    text = "Caf\u00e9 \u201cquotes\u201d \u2014 \u65e5\u672c\n"
    data = text.encode()
    assert decode_keeping_utf8(data) == (text, data)
    assert decode_keeping_utf8(codecs.BOM_UTF8 + data) == (text, None)  # the mark is not text
    assert decode_keeping_utf8(WESTERN.encode("cp1252")) == (WESTERN, None)  # detected


def test_binary_is_refused() -> None:
    with pytest.raises(DecodeError):
        decode(bytes(range(32)) * 200)


def test_html_sniffing() -> None:
    assert looks_like_html(b"<!-- saved -->\n<!DOCTYPE html><html><body>x</body></html>")
    assert not looks_like_html(b"Plain text about <html> tags in a sentence.")
