"""The one text preprocessing used for training, per-member learning and queries.

No Django import: notebooks, the training command and the web app all call these.
Tokenizers are module-level functions so a pickled pipeline refers to them by name
(and a web worker loads the model without the tokenizer's state inside the pickle).
"""
from __future__ import annotations

import gzip
import html
import json
import math
import re
import threading
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

# Only real markup: an HTML comment or a tag that starts with a Latin letter (<p>, </b>, <br/>,
# <span class="x">). Korean in angle brackets (<별빛하늘에 소망을>) is a title, not a tag.
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", re.DOTALL)
# Entities a rich-text editor leaves; html.unescape turns the known ones into characters,
# this catches malformed leftovers such as "&nbsp" without its semicolon.
_ENTITY = re.compile(r"&[#a-zA-Z0-9]{1,10};?")
_NOT_KEPT = re.compile(r"[^0-9a-zA-Zㄱ-ㅎㅏ-ㅣ가-힣 ]")
_SPACES = re.compile(r"\s+")


def _is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip() == ""


def clean_text(text) -> str:
    """Remove HTML tags and entities, double quotes and every character but digits,
    Latin letters, Hangul and spaces; collapse spaces."""
    if _is_missing(text):
        return ""
    text = _TAG.sub(" ", str(text))
    text = html.unescape(text)
    text = _ENTITY.sub(" ", text)
    text = text.replace('"', "")
    text = _NOT_KEPT.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def activity_text(*, title=None, content=None, intro=None, address_location=None, category_name=None) -> str:
    """An activity's feature text: its parts cleaned and joined with spaces, empty or
    missing parts skipped. Training passes title, content, intro and address location;
    a learning event passes the category name, title, intro and address location."""
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


# kiwipiepy's multi-word and typo dictionaries are left out: they take 190 of its 480 MiB per
# process (2.3 s of its 4 s start) and change the content morphemes of 81 of 11,085 listing and
# evaluation texts (0.7%), with the shipped model's figures unchanged (README, "Serving").
KIWI_OPTIONS = {"load_multi_dict": False, "load_typo_dict": False}


_kiwi_lock = threading.Lock()
_kiwi_instance = None


def _kiwi():
    """The process's one Kiwi. Built under a lock: requests arriving together at a fresh process
    would otherwise each build their own (seconds and hundreds of MiB apiece)."""
    global _kiwi_instance
    if _kiwi_instance is None:
        with _kiwi_lock:
            if _kiwi_instance is None:
                from kiwipiepy import Kiwi  # imported lazily: only models that use morphemes pay its start-up

                _kiwi_instance = Kiwi(**KIWI_OPTIONS)
    return _kiwi_instance


def kiwi_morphemes(text: str) -> list[str]:
    """Content morphemes: 박물관, 박물관을 and 박물관에서 all give 박물관."""
    return [form for form, _ in _kiwi_tokens(text)] if text else []


# Tokenized texts, kept because evaluation, comparison and the final refit tokenize the
# same texts again and popular activities are learned from over and over.
_TOKENS: dict[str, tuple[tuple[str, str], ...]] = {}
_TOKENS_KEPT = 20_000


def _content_tokens(tokens) -> tuple[tuple[str, str], ...]:
    return tuple((token.form.lower(), token.tag) for token in tokens if token.tag.startswith(_KEPT_TAGS))


def _remember(text: str, tokens: tuple[tuple[str, str], ...]) -> None:
    if len(_TOKENS) >= _TOKENS_KEPT:
        _TOKENS.clear()
    _TOKENS[text] = tokens


def _kiwi_tokens(text: str) -> tuple[tuple[str, str], ...]:
    tokens = _TOKENS.get(text)
    if tokens is None:
        tokens = _content_tokens(_kiwi().tokenize(text))
        _remember(text, tokens)
    return tokens


def tokenize_many(texts) -> None:
    """Tokenize many texts at once (kiwipiepy spreads a batch over the machine's cores), so
    that training then finds them ready."""
    pending = [text for text in dict.fromkeys(texts) if text and text not in _TOKENS][:_TOKENS_KEPT]
    for text, tokens in zip(pending, _kiwi().tokenize(pending)):
        _remember(text, _content_tokens(tokens))


# Nouns that kiwipiepy's CoNg model places near a noun (와인 -> 포도주, 맥주, 칵테일; 토익 -> 토플, 텝스).
# They let a word the training listings never used land near words they did use.
RELATED_TAGS = ("NNG", "NNP")
RELATED_TOP = 10
RELATED_MIN_SCORE = 0.65


@lru_cache(maxsize=100_000)
def related_morphemes(form: str, tag: str) -> tuple[str, ...]:
    """Up to RELATED_TOP morphemes at least RELATED_MIN_SCORE similar to (form, tag); none
    for a one-letter noun (too ambiguous) or a form the model does not know."""
    if not _may_have_related(form, tag):
        return ()
    known = _related_nouns_table().get(_related_key(form, tag))
    if known is not None:
        return tuple(known)
    return _ask_kiwi_for_related(form, tag)


def _may_have_related(form: str, tag: str) -> bool:
    return tag in RELATED_TAGS and len(form) >= 2


def _ask_kiwi_for_related(form: str, tag: str) -> tuple[str, ...]:
    try:
        similar = _kiwi().most_similar_morphemes((form, tag), top_n=RELATED_TOP)
    except ValueError:  # unknown to the language model (new words, typos)
        return ()
    return tuple(morpheme.form.lower() for morpheme in similar if morpheme.score >= RELATED_MIN_SCORE)


# kiwipiepy answers a related-noun question by scanning its whole vocabulary (~0.6 ms). The answers
# for the nouns of the demo listings' openings ship in this file, so that training, indexing the
# demo data and a web worker's first requests do not ask again (10,781 nouns: ~6 s of CPU).
# It holds what kiwipiepy answers (nouns within ~2e-4 of each other may come back in another
# order on another CPU's code path; the file gives every machine the same answers); a file
# written with another kiwipiepy or other settings is not used. `python manage.py
# build_related_nouns` writes it.
RELATED_NOUNS_FILE = Path(__file__).with_name("related_nouns.json.gz")
_related_nouns: dict[str, list[str]] | None = None


def _related_key(form: str, tag: str) -> str:
    return f"{form}/{tag}"


def related_nouns_settings() -> dict:
    """What the answers depend on: the tokenizer's release and options and the cut-offs."""
    return {"kiwipiepy": version("kiwipiepy"), "kiwi_options": KIWI_OPTIONS, "top": RELATED_TOP,
            "min_score": RELATED_MIN_SCORE}


def read_related_nouns(path: Path = RELATED_NOUNS_FILE) -> dict[str, list[str]]:
    """The stored answers, or none when the file is missing, unreadable or from other settings."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as stored:
            content = json.load(stored)
    except (OSError, ValueError):
        return {}
    if not isinstance(content, dict) or content.get("settings") != related_nouns_settings():
        return {}
    return content.get("related", {})


def _related_nouns_table() -> dict[str, list[str]]:
    global _related_nouns
    if _related_nouns is None:
        _related_nouns = read_related_nouns()
    return _related_nouns


def write_related_nouns(texts, path: Path = RELATED_NOUNS_FILE) -> int:
    """Ask kiwipiepy for the related nouns of every noun in the texts' openings (what the default
    tokenizer reads) and store the answers. Returns how many nouns were stored."""
    openings = [text[:FEATURE_CHARS] for text in texts if text]
    tokenize_many(openings)
    nouns = sorted({(form, tag) for text in openings for form, tag in _kiwi_tokens(text) if _may_have_related(form, tag)})
    related = {_related_key(form, tag): list(_ask_kiwi_for_related(form, tag)) for form, tag in nouns}
    content = {"settings": related_nouns_settings(), "related": related}
    # mtime=0: the same answers give the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as compressed:
        compressed.write(json.dumps(content, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return len(related)


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


# A listing says what it is in its title and opening lines; what follows (a host's life story,
# refund rules, directions) mostly dilutes it. Measured on real listings: reading the first
# 250–350 characters beats reading everything (macro F1 0.66 against 0.64).
FEATURE_CHARS = 300


def morphemes_related_and_char_ngrams(text: str) -> list[str]:
    """Morphemes, the nouns related to each noun (prefixed r:), and character n-grams, read
    from the text's first FEATURE_CHARS characters."""
    text = text[:FEATURE_CHARS]
    tokens = _kiwi_tokens(text) if text else ()
    features = [f"m:{form}" for form, _ in tokens]
    for form, tag in tokens:
        features.extend(f"r:{related}" for related in related_morphemes(form, tag))
    return features + char_ngrams(text)


def tokenize_many_for(vectorizer, texts) -> None:
    """tokenize_many on as much of each text as the vectorizer's analyzer will give Kiwi: the
    openings for the default analyzer, whole texts for the other Kiwi ones, nothing otherwise."""
    analyzer = vectorizer.analyzer if callable(vectorizer.analyzer) else vectorizer.tokenizer
    if analyzer is morphemes_related_and_char_ngrams:
        tokenize_many(text[:FEATURE_CHARS] for text in texts)
    elif analyzer in (kiwi_morphemes, morphemes_and_char_ngrams):
        tokenize_many(texts)
