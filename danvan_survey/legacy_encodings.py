"""Repair Vietnamese text typed in legacy 8-bit fonts (TCVN3/ABC and VNI).

Excel workbooks made with the old ``.VnTime`` (TCVN3, a.k.a. ABC) or ``VNI-Times``
fonts store one byte per glyph. Read as Unicode (cp1252/latin-1), the cells look
like ``"B×nh ThuËn"`` (TCVN3) or ``"Bình Thuaän"`` (VNI) instead of ``"Bình Thuận"``.

The tables below are written by hand from the published TCVN 5712:1993 (VN3) and
VNI-Windows layouts; each legacy byte is shown as the latin-1 character it becomes.

Limitations (documented, tested):

* TCVN3 (VN3) has only seven capital Vietnamese letters (Ă Â Ê Ô Ơ Ư Đ). Other
  accented capitals were typed with the separate ``.VnTimeH`` font *using the
  lowercase bytes*, so bytes cannot tell ``"ấ"`` from ``"Ấ"``. ``encode_tcvn3``
  writes accented capitals as their lowercase byte; ``decode_tcvn3`` returns
  lowercase, except that a word whose other letters are all capitals is
  upper-cased as a whole (``"HéI"`` → ``"HỘI"``). Round trips are exact for text
  whose accented capitals are among the seven.
* Detection is heuristic and conservative: a short value with no tell-tale
  character (e.g. TCVN3 ``"Héi"`` alone) is left as it is. ``fix_legacy`` never
  touches text holding any character beyond latin-1/cp1252 (real Unicode) or
  plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata

# --- TCVN3 (ABC, .VnTime): Unicode letter -> latin-1 char of its byte ---------------
_TCVN3_LOWER = {
    "à": "\xb5", "á": "\xb8", "ả": "\xb6", "ã": "\xb7", "ạ": "\xb9",
    "ă": "\xa8", "ằ": "\xbb", "ắ": "\xbe", "ẳ": "\xbc", "ẵ": "\xbd", "ặ": "\xc6",
    "â": "\xa9", "ầ": "\xc7", "ấ": "\xca", "ẩ": "\xc8", "ẫ": "\xc9", "ậ": "\xcb",
    "đ": "\xae",
    "è": "\xcc", "é": "\xd0", "ẻ": "\xce", "ẽ": "\xcf", "ẹ": "\xd1",
    "ê": "\xaa", "ề": "\xd2", "ế": "\xd5", "ể": "\xd3", "ễ": "\xd4", "ệ": "\xd6",
    "ì": "\xd7", "í": "\xdd", "ỉ": "\xd8", "ĩ": "\xdc", "ị": "\xde",
    "ò": "\xdf", "ó": "\xe3", "ỏ": "\xe1", "õ": "\xe2", "ọ": "\xe4",
    "ô": "\xab", "ồ": "\xe5", "ố": "\xe8", "ổ": "\xe6", "ỗ": "\xe7", "ộ": "\xe9",
    "ơ": "\xac", "ờ": "\xea", "ớ": "\xed", "ở": "\xeb", "ỡ": "\xec", "ợ": "\xee",
    "ù": "\xef", "ú": "\xf3", "ủ": "\xf1", "ũ": "\xf2", "ụ": "\xf4",
    "ư": "\xad", "ừ": "\xf5", "ứ": "\xf8", "ử": "\xf6", "ữ": "\xf7", "ự": "\xf9",
    "ỳ": "\xfa", "ý": "\xfd", "ỷ": "\xfb", "ỹ": "\xfc", "ỵ": "\xfe",
}
_TCVN3_UPPER = {
    "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6",
    "Đ": "\xa7",
}
TCVN3_ENCODE: dict[str, str] = {**_TCVN3_LOWER, **_TCVN3_UPPER}
TCVN3_DECODE: dict[str, str] = {v: k for k, v in TCVN3_ENCODE.items()}

# --- VNI (VNI-Windows): base letter + mark byte(s) --------------------------------
# Mark bytes (lowercase form; the capital form is the latin-1 char 0x20 lower).
_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\xf9", "\xf8", "\xfb", "\xf5", "\xef"  # ù ø û õ ï
_TONES = {"": "", "\u0301": _ACUTE, "\u0300": _GRAVE, "\u0309": _HOOK,
          "\u0303": _TILDE, "\u0323": _DOT}
# circumflex / breve combined with a tone are single bytes
_CIRC = {"": "\xe2", "\u0301": "\xe1", "\u0300": "\xe0", "\u0309": "\xe5",
         "\u0303": "\xe3", "\u0323": "\xe4"}  # â á à å ã ä
_BREVE = {"": "\xea", "\u0301": "\xe9", "\u0300": "\xe8", "\u0309": "\xfa",
          "\u0303": "\xfc", "\u0323": "\xeb"}  # ê é è ú ü ë
# i and y-dot use single bytes
_I = {"": "i", "\u0301": "\xed", "\u0300": "\xec", "\u0309": "\xe6",
      "\u0303": "\xf3", "\u0323": "\xf2"}  # í ì æ ó ò


def _build_vni_lower() -> dict[str, str]:
    """Lowercase Vietnamese letter -> VNI byte string (as latin-1 chars)."""
    table: dict[str, str] = {}
    for tone, mark in _TONES.items():
        for base in "aeouy":
            table[unicodedata.normalize("NFC", base + tone)] = base + mark
        table[unicodedata.normalize("NFC", "o\u031b" + tone)] = "\xf4" + mark  # ơ = ô
        table[unicodedata.normalize("NFC", "u\u031b" + tone)] = "\xf6" + mark  # ư = ö
        table[unicodedata.normalize("NFC", "a\u0302" + tone)] = "a" + _CIRC[tone]
        table[unicodedata.normalize("NFC", "e\u0302" + tone)] = "e" + _CIRC[tone]
        table[unicodedata.normalize("NFC", "o\u0302" + tone)] = "o" + _CIRC[tone]
        table[unicodedata.normalize("NFC", "a\u0306" + tone)] = "a" + _BREVE[tone]
        table[unicodedata.normalize("NFC", "i" + tone)] = _I[tone]
    table["ỵ"] = "\xee"  # î
    table["đ"] = "\xf1"  # ñ
    return {k: v for k, v in table.items() if k not in "aeiouy"}


VNI_ENCODE: dict[str, str] = {}
for _low, _code in _build_vni_lower().items():
    VNI_ENCODE[_low] = _code
    VNI_ENCODE[_low.upper()] = _code.upper()
VNI_DECODE: dict[str, str] = {v: k for k, v in VNI_ENCODE.items()}
# accept a mark whose case differs from its base letter (seen in edited cells)
for _code, _letter in list(VNI_DECODE.items()):
    if len(_code) == 2:
        VNI_DECODE.setdefault(_code[0] + _code[1].swapcase(), _letter)
_VNI_PAIR_RE = re.compile("|".join(re.escape(k) for k in sorted(VNI_DECODE, key=len, reverse=True)))

# --- alphabet and evidence sets ----------------------------------------------------
VIET_LOWER = "".join(_TCVN3_LOWER) + "abcdefghijklmnopqrstuvwxyz"
VIET_LETTERS = frozenset(VIET_LOWER + VIET_LOWER.upper())
_LATIN1_NON_VIET = frozenset(
    chr(c) for c in range(0x80, 0x100) if chr(c) not in VIET_LETTERS
)
_CP1252_EXTRA = frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore"))
# VNI pairs that also occur in correct Unicode Vietnamese ("hoà", "hoá", "loã").
_VNI_WEAK_PAIRS = frozenset(p for b in "oO" for p in (b + "à", b + "á", b + "ã",
                                                      b + "À", b + "Á", b + "Ã"))
_CAMEL_RE = re.compile(r"[a-z\xdf-\xff][\xc0-\xde]")


def _is_legacy_range(text: str) -> bool:
    """Tell whether every char could come from a cp1252/latin-1 read of 8-bit bytes."""
    return all(ord(ch) < 0x100 or ch in _CP1252_EXTRA for ch in text)


def encode_tcvn3(text: str) -> str:
    """Unicode Vietnamese -> what a TCVN3 (.VnTime) cell looks like read as latin-1."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in TCVN3_ENCODE:
            out.append(TCVN3_ENCODE[ch])
        elif ch.lower() in _TCVN3_LOWER:  # accented capital: .VnTimeH uses lowercase byte
            out.append(_TCVN3_LOWER[ch.lower()])
        else:
            out.append(ch)
    return "".join(out)


def _restore_caps(word: str, decoded: str) -> str:
    """Upper-case a decoded word when its undecoded letters were all capitals."""
    plain = [c for c, d in zip(word, decoded, strict=True) if c == d and c.isalpha()]
    if len(plain) >= 2 and all(c.isupper() for c in plain) and any(
        c != d for c, d in zip(word, decoded, strict=True)
    ):
        return decoded.upper()
    return decoded


def decode_tcvn3(text: str) -> str:
    """TCVN3 mojibake (read as latin-1/cp1252) -> Unicode NFC (unconditional).

    Case is restored by two heuristics (TCVN3 bytes carry no case for accented
    capitals): an all-capitals word is upper-cased, and in Title Case text
    (every other word capitalised) a word starting with a decoded letter gets a
    capital initial (``"ThÞ TrÊn ¸i NghÜa"`` → ``"Thị Trấn Ái Nghĩa"``).
    """
    parts = re.split(r"(\s+)", text)
    decoded = ["".join(TCVN3_DECODE.get(ch, ch) for ch in part) for part in parts]
    decoded = [_restore_caps(p, d) if d != p else p for p, d in zip(parts, decoded, strict=True)]
    words = [i for i, d in enumerate(decoded) if d[:1].isalpha()]
    for i in words:
        first_decoded = parts[i][:1] != decoded[i][:1]
        others = [decoded[j] for j in words if j != i]
        if first_decoded and len(others) >= 2 and all(o[:1].isupper() for o in others):
            decoded[i] = decoded[i][:1].upper() + decoded[i][1:]
    return "".join(decoded)


def encode_vni(text: str) -> str:
    """Unicode Vietnamese -> what a VNI-Times cell looks like read as latin-1."""
    return "".join(VNI_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def decode_vni(text: str) -> str:
    """VNI mojibake (read as latin-1/cp1252) -> Unicode NFC (unconditional)."""
    return _VNI_PAIR_RE.sub(lambda m: VNI_DECODE[m.group(0)], text)


def _tcvn3_evidence(text: str) -> int:
    """Count signs of TCVN3: its non-letter bytes inside words, or camelCase."""
    odd = sum(
        1
        for token in text.split()
        if len(token) >= 2 and any(ch.isalnum() or ch in TCVN3_DECODE for ch in token[1:])
        for ch in token
        if ch in TCVN3_DECODE and ch in _LATIN1_NON_VIET
    )
    return odd + len(_CAMEL_RE.findall(text))


def _vni_evidence(text: str) -> int:
    """Count signs of VNI: base+mark pairs impossible in Unicode Vietnamese, odd bytes."""
    strong = sum(
        1 for m in _VNI_PAIR_RE.finditer(text)
        if len(m.group(0)) == 2 and m.group(0) not in _VNI_WEAK_PAIRS
    )
    odd = sum(1 for ch in text if ch in "ñÑöÖæÆîÎ")
    return strong + odd


def _residual(text: str) -> int:
    """Chars left that are neither ASCII nor Vietnamese letters (latin-1 junk)."""
    return sum(1 for ch in text if ch in _LATIN1_NON_VIET)


def _tone_clashes(text: str) -> int:
    """Words carrying more than one tone mark (impossible in Vietnamese)."""
    clashes = 0
    for word in re.findall(r"\w+", text):
        tones = sum(
            1 for ch in unicodedata.normalize("NFD", word)
            if ch in "\u0300\u0301\u0303\u0309\u0323"
        )
        clashes += tones > 1
    return clashes


# Vowel groups that may take a final consonant, and those ending in a glide (no coda).
_CLOSED = "a ă â e ê i o ô ơ u ư y iê yê uô ươ oa oă oe uâ uê uy uyê oo".split()
_OPEN = (
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oao oay oeo uây "
    "uôi uya uyu ươi ươu"
).split()


def _alt(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
    rf"(?:(?P<open>{_alt(_OPEN)})|(?:{_alt(_CLOSED)})(?:ng|nh|ch|c|k|m|n|p|t)?)"
)
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _bad_syllables(text: str) -> int:
    """Count non-ASCII words that are no well-formed Vietnamese syllable.

    Besides the shape (onset + vowel group + coda), a tone mark on the glide that
    ends an open vowel group is rejected (``"xaõ"``: Vietnamese writes ``"xảo"``).
    """
    bad = 0
    for word in re.findall(r"[^\W\d_]+", text):
        if word.isascii():
            continue
        chars = unicodedata.normalize("NFC", word.lower())
        tone_at = [
            i for i, ch in enumerate(chars)
            if any(m in _TONE_MARKS for m in unicodedata.normalize("NFD", ch))
        ]
        bare = "".join(
            unicodedata.normalize(
                "NFC", "".join(m for m in unicodedata.normalize("NFD", ch) if m not in _TONE_MARKS)
            )
            for ch in chars
        )
        match = _SYLLABLE_RE.fullmatch(bare)
        if match is None or len(tone_at) > 1:
            bad += 1
        elif match.group("open") and tone_at and tone_at[0] == match.end("open") - 1:
            bad += 1
    return bad


def _needs_check(text: str) -> bool:
    return bool(text) and not text.isascii() and _is_legacy_range(text)


def looks_like_tcvn3(text: object) -> bool:
    """Tell whether ``text`` is plausibly TCVN3 mojibake that decodes to clean Vietnamese."""
    return isinstance(text, str) and fix_legacy(text)[1] == "tcvn3"


def looks_like_vni(text: object) -> bool:
    """Tell whether ``text`` is plausibly VNI mojibake that decodes to clean Vietnamese."""
    return isinstance(text, str) and fix_legacy(text)[1] == "vni"


def fix_legacy(text: str) -> tuple[str, str | None]:
    """Repair TCVN3/VNI mojibake; return (text, rule) with rule "tcvn3", "vni" or None.

    Leaves unchanged: ASCII, anything with a char beyond latin-1/cp1252 (real
    Unicode), text without tell-tale evidence, and text whose decoding would
    still hold latin-1 junk or words with two tone marks.
    """
    if not isinstance(text, str) or not _needs_check(text):
        return text, None
    base_residual, base_bad = _residual(text), _bad_syllables(text)
    candidates: list[tuple[int, int, str, str]] = []
    for rule, evidence, decode in (
        ("tcvn3", _tcvn3_evidence, decode_tcvn3),
        ("vni", _vni_evidence, decode_vni),
    ):
        if evidence(text) == 0:
            continue
        out = decode(text)
        if out == text:
            continue
        residual, clashes, bad = _residual(out), _tone_clashes(out), _bad_syllables(out)
        if residual > base_residual or clashes > 0:
            continue
        if residual == base_residual and bad >= base_bad:
            continue
        candidates.append((residual, bad, rule, out))
    if not candidates:
        return text, None
    candidates.sort()
    if len(candidates) > 1 and candidates[0][:2] == candidates[1][:2]:
        return text, None  # both decodings equally plausible: never guess
    residual, _, rule, out = candidates[0]
    return unicodedata.normalize("NFC", out), rule
