"""The one text preprocessing used for training, per-member learning and queries.

No Django import: notebooks, the training command and the web app all call these.
Tokenizers are module-level functions so a pickled pipeline refers to them by name
(and a web worker loads the model without the tokenizer's state inside the pickle).
"""
from __future__ import annotations

import html
import math
import re
import unicodedata
from functools import lru_cache

# Only real markup: an HTML comment or a tag that starts with a Latin letter (<p>, </b>, <br/>,
# <span class="x">). Korean in angle brackets (<별빛하늘에 소망을>) is a title, not a tag.
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", re.DOTALL)
# Entities a rich-text editor leaves; html.unescape turns the known ones into characters,
# this catches malformed leftovers such as "&nbsp" without its semicolon.
_ENTITY = re.compile(r"&[#a-zA-Z0-9]{1,10};?")
_NOT_KEPT = re.compile(r"[^0-9a-zA-Zㄱ-ㅎㅏ-ㅣ가-힣 ]")
_SPACES = re.compile(r"\s+")
EMOJI_WORDS = False


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip() == ""


def _emoji_words(text: str) -> str:
    """Pictographs as their Unicode names (🍷 -> wine glass, 🏃 -> runner): hosts often say
    with an emoji what they do not write in words."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if unicodedata.category(char) == "So":
            name = unicodedata.name(char, "")
            out.append(f" {name.lower()} " if name else " ")
        else:
            out.append(char)
    return "".join(out)


def clean_text(text) -> str:
    """Remove HTML tags and entities, spell emoji as their names, drop double quotes and
    every character but digits, Latin letters, Hangul and spaces; collapse spaces."""
    if _is_missing(text):
        return ""
    text = _TAG.sub(" ", str(text))
    text = html.unescape(text)
    text = _ENTITY.sub(" ", text)
    if EMOJI_WORDS:
        text = _emoji_words(text)
    text = text.replace('"', "")
    text = _NOT_KEPT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def activity_text(*, title=None, content=None, intro=None, address_location=None, category_name=None) -> str:
    """An activity's feature text: its parts cleaned and joined with spaces, empty or
    missing parts skipped. Training passes title, content, intro and address location;
    a learning event passes the category name, title, intro and address location (as
    the original did, but with spaces between the parts)."""
    parts = (category_name, title, content, intro, address_location)
    cleaned = (clean_text(part) for part in parts)
    return " ".join(part for part in cleaned if part)


def query_text(*words) -> str:
    """A recommendation query (season keywords, or interests and keywords) in the same form."""
    return " ".join(part for part in (clean_text(word) for word in words) if part)


# --- tokenizers -------------------------------------------------------------

# Morpheme tags kept as features: nouns, verb and adjective stems, roots, foreign words
# and numbers. Particles and endings (을, 에서, 해요) carry no topic.
_KEPT_TAGS = ("NNG", "NNP", "NNB", "NR", "VV", "VA", "XR", "SL", "SH", "SN", "MAG")


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi  # imported lazily: only models that use morphemes pay its start-up

    return Kiwi()


def kiwi_morphemes(text: str) -> list[str]:
    """Content morphemes: 박물관, 박물관을 and 박물관에서 all give 박물관."""
    return list(_morphemes(text)) if text else []


@lru_cache(maxsize=20_000)
def _morphemes(text: str) -> tuple[str, ...]:
    # Cached: evaluation, comparison and the final refit tokenize the same texts again.
    return tuple(token.form.lower() for token in _kiwi().tokenize(text) if token.tag.startswith(_KEPT_TAGS))


def char_ngrams(text: str, low: int = 2, high: int = 3) -> list[str]:
    """Character n-grams inside each word, padded with spaces (like CountVectorizer's char_wb)."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        for size in range(low, high + 1):
            grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


def morphemes_and_char_ngrams(text: str) -> list[str]:
    """Both views of the text: morphemes for meaning, n-grams for unseen or misspelled words."""
    return [f"m:{m}" for m in kiwi_morphemes(text)] + char_ngrams(text)
