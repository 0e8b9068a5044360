"""Turn bytes into clean text: binary sniffing, strict decoding and Unicode normalisation."""

from __future__ import annotations

import codecs
import re
import unicodedata

import charset_normalizer

from knowledge.exceptions import UndecodableDocument, UnsupportedFormat

# Signatures of binary formats marketers might upload by mistake. PDF is absent on
# purpose: it is a format we read.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
    (b"\xca\xfe\xba\xbe", "an executable"),
    (b"\xcf\xfa\xed\xfe", "an executable"),
    (b"\x00asm", "a WebAssembly module"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"OggS", "an audio file"),
    (b"ID3", "an MP3 file"),
    (b"fLaC", "an audio file"),
    (b"RIFF", "a RIFF media file (WebP, WAV or AVI)"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)
# Text formats whose signature looks binary only after their byte-order mark.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Characters that carry no text and may hide content: C0/C1 controls (but tab and
# newline), bidi overrides, zero-width spaces and soft hyphens. ZWJ/ZWNJ stay: emoji
# and some scripts need them.
# Short signatures that also begin ordinary words ("BMW", "MZ-5", "ID3 tags"): they
# count only when control bytes confirm that the file is binary.
_WEAK_MAGIC = frozenset({b"MZ", b"BM", b"BZh", b"ID3", b"RIFF", b"OggS", b"fLaC", b"wOFF", b"wOF2"})
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_RUN = re.compile(r"\n{3,}")
# charset_normalizer's rivals within these margins count as equally likely.
_CHAOS_LIMIT = 0.1
_RIVAL_MARGIN = 0.05


def sniff_binary(data: bytes) -> str | None:
    """Return what kind of binary file `data` looks like, or None if it may be text."""
    if any(data.startswith(bom) for bom, _ in _BOMS):
        return None
    if data[4:8] == b"ftyp":
        return "a video or HEIC image"
    for magic, kind in _MAGIC:
        if not data.startswith(magic):
            continue
        if magic not in _WEAK_MAGIC or _CONTROL_BYTES.search(data[:512]):
            return kind
    if b"\x00" in data[:8192] or b"\x00" in data[-1024:]:
        return "binary data (it contains NUL bytes; UTF-16 text needs a byte-order mark)"
    return None


def decode_text(
    data: bytes, *, source: str, charset: str | None = None, fallback_charset: str | None = None
) -> str:
    """Decode `data` as UTF-8/16/32 (BOM) or a declared charset; refuse ambiguous bytes.

    `charset` is authoritative (an HTTP-style declaration); `fallback_charset` (an HTML
    <meta> tag) is tried only when the bytes are not UTF-8, since pages often lie.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_strict(data, encoding, source)
    kind = sniff_binary(data)
    if kind is not None:
        raise UnsupportedFormat(source, f"this is {kind}, not a text document")
    if charset:
        return _decode_strict(data, charset, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_offset = exc.start
    if fallback_charset:
        try:
            return data.decode(codecs.lookup(fallback_charset).name)
        except (LookupError, UnicodeDecodeError):
            pass
    guessed = _guess_confidently(data)
    if guessed is None:
        raise UndecodableDocument(
            source,
            f"the text is not valid UTF-8 (first bad byte at offset {bad_offset}) and its "
            "encoding cannot be told apart reliably; save it as UTF-8 or declare its charset",
        )
    return guessed


def _decode_strict(data: bytes, encoding: str, source: str) -> str:
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        raise UndecodableDocument(source, f"unknown charset {encoding!r}") from None
    try:
        return data.decode(codec.name)
    except UnicodeDecodeError as exc:
        raise UndecodableDocument(
            source, f"the bytes are not valid {codec.name} (byte {exc.start})"
        ) from None


def _guess_confidently(data: bytes) -> str | None:
    """Return the decoded text only if every plausible legacy encoding agrees on it."""
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return None
    best = min(matches, key=lambda m: (m.chaos, -m.coherence))
    if best.chaos > _CHAOS_LIMIT:
        return None
    text = str(best)
    for rival in matches:
        plausible = (
            rival.chaos <= best.chaos + _RIVAL_MARGIN
            and rival.coherence >= best.coherence - _RIVAL_MARGIN
        )
        if plausible and str(rival) != text:
            return None
    return text


def normalise_text(text: str) -> str:
    """Apply NFC, unify newlines and spaces, drop invisible characters and extra blank lines."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").replace("\x0c", "\n\n")
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


def title_from_name(name: str) -> str:
    """Make a readable title from a file name or URL ("growth-plan.md" -> "Growth plan")."""
    stem = name.rstrip("/").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." in stem.lstrip("."):
        stem = stem.rsplit(".", 1)[0]
    words = re.sub(r"[-_]+", " ", stem).strip()
    if not words:
        return ""
    return words[0].upper() + words[1:] if words.islower() else words


_MAX_INLINE = 1000
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|~~|`+)(\S(?:.*?\S)?)\1")


def plain_inline(text: str) -> str:
    """Remove inline Markdown (links, emphasis, code ticks) from a heading or title."""
    # Titles and headings are short; the cap keeps the lazy regexes linear on junk.
    text = text[:_MAX_INLINE]
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())
