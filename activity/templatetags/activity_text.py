"""Showing rich-text activity content as plain text: no markup runs, paragraphs survive."""
import html
import re

from django import template
from django.utils.html import strip_tags

register = template.Library()

# Elements whose contents are code or data, never text to read: dropped whole (an unclosed
# one runs to the end, as a browser would read it).
_HIDDEN_ELEMENTS = re.compile(
    r"(?is)<(script|style|template|noscript|iframe|object|svg|math)\b[^>]*>.*?(?:</\1\s*>|\Z)"
)
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|h[1-6]|tr)\s*>")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


@register.filter
def plain_text(value: str) -> str:
    """Script, style and similar elements dropped with their contents, line breaks where the
    editor's blocks ended, then tags removed and entities decoded
    (the template's autoescaping and `linebreaksbr` make it safe to show)."""
    text = _HIDDEN_ELEMENTS.sub("", value or "")
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(strip_tags(text)).replace("\xa0", " ")
    return _BLANK_LINES.sub("\n\n", text).strip()
