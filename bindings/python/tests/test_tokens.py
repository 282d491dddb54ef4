"""Tokenization without a model: types, stems, spans, bytes/str, bad UTF-8."""

import pytest

import hsclass
from hsclass import TokenType


def test_tokens_of_a_declaration():
    text = "FROZEN BONELESS BEEF CUTS 20KG CTNS"
    toks = hsclass.tokens(text, languages="en")
    assert [t.text for t in toks][:4] == ["frozen", "boneless", "beef", "cuts"]
    by_text = {t.text: t for t in toks}
    assert by_text["frozen"].type == TokenType.WORD
    assert any(t.type == TokenType.QUANTITY for t in toks), toks
    for t in toks:
        start, end = t.span
        assert 0 <= start < end <= len(text)
        assert isinstance(t.stems, tuple) and all(isinstance(s, str) for s in t.stems)
    # the English stemmer reduces "cuts" to "cut"
    assert "cut" in by_text["cuts"].stems


def test_stopwords_are_flagged():
    toks = hsclass.tokens("cuts of beef and pork", languages="en")
    flags = {t.text: t.stopword for t in toks}
    assert flags["of"] and flags["and"]
    assert not flags["beef"]


def test_str_spans_are_characters_and_bytes_spans_are_bytes():
    text = "viande bovine désossée congelée"
    data = text.encode("utf-8")
    as_str = hsclass.tokens(text, languages="fr")
    as_bytes = hsclass.tokens(data, languages="fr")
    assert [t.text for t in as_str] == [t.text for t in as_bytes]
    assert [t.stems for t in as_str] == [t.stems for t in as_bytes]
    for s, b in zip(as_str, as_bytes):
        assert text[s.span[0]:s.span[1]] == data[b.span[0]:b.span[1]].decode("utf-8")
    last = as_str[-1]
    assert text[last.span[0]:last.span[1]].lower() == "congelée"
    assert as_bytes[-1].span[1] == len(data)


def test_accents_are_folded_by_default():
    toks = hsclass.tokens("désossée", languages="fr")
    assert toks[0].text == "desossee"
    kept = hsclass.tokens("désossée", languages="fr", strip_accents=0)
    assert kept[0].text == "désossée"


def test_bytearray_and_memoryview_are_accepted():
    data = b"frozen beef"
    expect = hsclass.tokens(data, languages="en")
    assert hsclass.tokens(bytearray(data), languages="en") == expect
    assert hsclass.tokens(memoryview(data), languages="en") == expect


def test_blank_text_gives_no_tokens():
    assert hsclass.tokens("", languages="en") == []
    assert hsclass.tokens("   \t ", languages="en") == []


def test_invalid_utf8_raises_bad_utf8_with_the_detail():
    with pytest.raises(hsclass.BadUTF8) as info:
        hsclass.tokens(b"beef \xff cuts", languages="en")
    err = info.value
    assert err.status == 20
    assert isinstance(err, hsclass.TextError) and isinstance(err, ValueError)
    assert "5" in err.detail  # the offset of the bad byte
    assert err.detail in str(err)


def test_lone_surrogate_in_str_is_bad_utf8():
    with pytest.raises(hsclass.BadUTF8):
        hsclass.tokens("beef \ud800 cuts", languages="en")


def test_utf8_replacement_option():
    toks = hsclass.tokens(b"beef \xff cuts", languages="en", utf8_replace=True)
    assert [t.text for t in toks if t.type == TokenType.WORD][0] == "beef"
    assert "cuts" in [t.text for t in toks]


def test_text_too_long():
    with pytest.raises(hsclass.TextTooLong) as info:
        hsclass.tokens("beef " * 10, languages="en", max_text_bytes=16)
    assert info.value.status == 21


def test_bad_language_and_options():
    with pytest.raises(hsclass.BadLanguage):
        hsclass.tokens("beef", languages="xx")
    with pytest.raises(TypeError):
        hsclass.tokens("beef", no_such_option=1)
    with pytest.raises(hsclass.InvalidArgument):
        hsclass.tokens("beef", max_text_bytes=-1)
    with pytest.raises(TypeError):
        hsclass.tokens(12345)


def test_languages_as_a_list():
    assert hsclass.tokens("frozen beef", languages=["en", "fr"])


def test_session_without_model_cannot_classify():
    with hsclass.Session(config={"languages": "en"}) as s:
        assert s.model is None
        assert s.tokens("beef")
        with pytest.raises(hsclass.StateError):
            s.classify("beef")
    assert s.closed
    with pytest.raises(hsclass.StateError):
        s.tokens("beef")
