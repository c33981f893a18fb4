"""Encoding and delimiter sniffing on the shortest inputs, where detection libraries guess wrong."""

import pytest

from ecom.ingest.read import WHITESPACE, IngestError, detect_delimiter, detect_encoding


@pytest.mark.parametrize("text,encoding,expected", [
    ("订单号,金额\n1,2\n", "gbk", "gb18030"),
    ("商品\n杯子\n", "gbk", "gb18030"),
    ("名称\n𠮷\n", "gb18030", "gb18030"),
    ("name\nCrème\n", "cp1252", "cp1252"),
    ("Größe\nXL\n", "cp1252", "cp1252"),
    ("x\nNaïve\n", "latin-1", "cp1252"),
    # Turkish, Russian and Polish exports in their Windows code pages (Hepsiburada's reviews were read
    # as CP1252: ş as þ, ı as ý; Russian as GB18030 or accented Latin; Polish ł as ³)
    ("Adlar;Yorumlar\nÖK;Gayet güzel bir telefon, kameraları ışıklı\nİK;Telefonum sorunsuz şekilde geldi\n", "cp1254", "cp1254"),
    ("Номер заказа;Статус;Сумма\n1;Доставлен;370.00\n2;Отменен;350.00\n", "cp1251", "cp1251"),
    ("Numer zamówienia;Nazwa produktu;Kwota\n1;Skarpetki męskie łączone;370,00 zł\n2;Żółta koszulka;350,00 zł\n", "cp1250", "cp1250"),
    ("Numéro;Désignation;Montant\n1;Tee-shirt à manches;370,00 €\n", "cp1252", "cp1252"),
    ("Bestellnummer;Artikel;Betrag\n1;Größe Socken für Männer;370,00 €\n", "cp1252", "cp1252"),
    ("订单号\n1\n", "utf-8", "utf-8"),
])
def test_short_files_decode_right(text, encoding, expected):
    raw = text.encode(encoding)
    enc, bom = detect_encoding(raw)
    assert (enc, bom) == (expected, b"")
    assert raw.decode(enc) == text


def test_byte_order_marks_win():
    assert detect_encoding("\ufeffa,b\n".encode("utf-8")) == ("utf-8-sig", b"\xef\xbb\xbf")
    assert detect_encoding("a\tb\n".encode("utf-16"))[0] == "utf-16"


def test_nul_bytes_without_utf16_pattern_are_binary():
    with pytest.raises(IngestError, match="binary"):
        detect_encoding(b"ab\x00\x01\x02\x03cd\xff\xfe\x00\x00\x00\x00\x00zz", "x.csv")


@pytest.mark.parametrize("lines,expected", [
    (["a,b,c\n", "1,2,3\n"], ","),
    (["a;b;c\n", "1;2,5;3\n", "4;5,1;6\n"], ";"),
    (["a\tb, c\tc\n", "1\t2, 3\t3\n"], "\t"),
    (["a|b|c\n", "1|2|3\n"], "|"),
    (["a    b    c\n", "1    2    3\n"], WHITESPACE),
])
def test_delimiters(lines, expected):
    assert detect_delimiter(lines) == expected
