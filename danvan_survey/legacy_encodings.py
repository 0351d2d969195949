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
_JUNK = _LATIN1_NON_VIET - {"\xa0"} - {chr(c) for c in range(0x80, 0xA0)}
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


_BYTES = {
    "tcvn3": frozenset(TCVN3_DECODE),
    "vni": frozenset("".join(VNI_DECODE)),
}


def _foreign_letters(text: str, rule: str) -> int:
    """Count non-ASCII letters that the encoding never writes: signs of real Unicode.

    "Ã" in "XÃ EA YÔNG" is no TCVN3 byte, so that text is not TCVN3.
    """
    return sum(1 for ch in text if ch.isalpha() and not ch.isascii() and ch not in _BYTES[rule])


def _residual(text: str) -> int:
    r"""Chars left that are neither ASCII nor Vietnamese letters (latin-1 junk).

    A no-break space and C1 controls are no junk: the repair turns them into a space or
    drops them later, so they must not decide whether a value is decoded (else the
    repair of its repair would differ: "\xa0â" and "â").
    """
    return sum(1 for ch in text if ch in _JUNK)


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


# --- Vietnamese syllables -----------------------------------------------------------
# onset + vowel nucleus + coda; each nucleus takes only some codas ("onh", "ynh", "âng"
# without a coda, "iê" without a coda are not Vietnamese). "k" is the Central Highlands
# spelling of the final "c" (Đắk Lắk).
_ONSETS = (
    "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x".split() + [""]
)
_LABIAL_DENTAL = ("m", "n", "p", "t")
_VELAR = ("ng", "c", "k")
_PALATAL = ("nh", "ch")
_RHYMES: dict[str, tuple[str, ...]] = {
    "a": ("", *_LABIAL_DENTAL, *_VELAR, *_PALATAL),
    "ă": (*_LABIAL_DENTAL, *_VELAR),
    "â": (*_LABIAL_DENTAL, *_VELAR),
    "e": ("", *_LABIAL_DENTAL, *_VELAR),
    "ê": ("", *_LABIAL_DENTAL, *_PALATAL),
    "i": ("", *_LABIAL_DENTAL, *_PALATAL),
    "y": ("",),
    "o": ("", *_LABIAL_DENTAL, *_VELAR),
    "ô": ("", *_LABIAL_DENTAL, *_VELAR),
    "ơ": ("", *_LABIAL_DENTAL, *_VELAR),  # ơng, ơk only in minority names (Chư Pơng)
    "u": ("", *_LABIAL_DENTAL, *_VELAR),
    "ư": ("", *_LABIAL_DENTAL, *_VELAR),
    "iê": (*_LABIAL_DENTAL, *_VELAR),
    "yê": (*_LABIAL_DENTAL, *_VELAR),
    "uô": (*_LABIAL_DENTAL, *_VELAR),
    "ươ": (*_LABIAL_DENTAL, *_VELAR),
    "oa": ("", *_LABIAL_DENTAL, *_VELAR, *_PALATAL),
    "oă": (*_LABIAL_DENTAL, *_VELAR),
    "oe": ("", *_LABIAL_DENTAL),
    "uâ": ("n", "t", "ng", "c"),
    "uê": ("", "n", "t", *_PALATAL),
    "uy": ("", "n", "t", "p", *_PALATAL),
    "uyê": ("n", "t"),
    "oo": ("ng", "c"),
}
#: After "qu" the written "y" is the nucleus "uy" (quýt, Quỳnh).
_AFTER_QU = {**_RHYMES, "y": _RHYMES["uy"]}
# vowel groups ending in a glide: no coda, and no tone mark on the glide
_OPEN = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oao oay oeo uây "
    "uôi uya uyu ươi ươu".split()
)
_FRONT = ("i", "e", "ê", "y")
_STOPS = ("p", "t", "c", "k", "ch")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_STOP_TONES = {"", "\u0301", "\u0323"}  # a syllable ending in a stop: no tone, sắc or nặng


def _onset_fits(onset: str, nucleus: str) -> bool:
    """Spelling rules of onsets: gh/ngh only before i, e, ê; c never before them.

    "k" is not restricted: proper names write it before any vowel (Bắc Kạn, Kon Tum).
    """
    if onset in {"gh", "ngh"}:
        return nucleus.startswith(("i", "e", "ê"))
    if onset == "c":
        return not nucleus.startswith(_FRONT)
    if onset == "qu":
        return not nucleus.startswith("u")
    return True


def _split_tone(word: str) -> tuple[str, list[tuple[int, str]]]:
    """Lower-case word without tone marks, and the (position, mark) of each tone mark."""
    bare, tones = [], []
    for i, ch in enumerate(unicodedata.normalize("NFC", word.lower())):
        parts = unicodedata.normalize("NFD", ch)
        tones += [(i, m) for m in parts if m in _TONE_MARKS]
        bare.append(unicodedata.normalize("NFC", "".join(m for m in parts if m not in _TONE_MARKS)))
    return "".join(bare), tones


def _rhyme_ok(onset: str, rest: str, tone: tuple[int, str] | None) -> bool:
    """Whether ``rest`` (after ``onset``) is nucleus + allowed coda with the tone well placed."""
    rhymes = _AFTER_QU if onset == "qu" else _RHYMES
    at = tone[0] - len(onset) if tone else None
    if at is not None and at < 0:
        return False  # a tone mark on the onset ("qùa")
    for nucleus in sorted({*rhymes, *_OPEN}, key=len, reverse=True):
        if not rest.startswith(nucleus) or not _onset_fits(onset, nucleus):
            continue
        coda = rest[len(nucleus):]
        if nucleus in _OPEN:
            if coda == "" and (at is None or at < len(nucleus) - 1):  # not on the glide
                return True
            continue
        if coda not in rhymes[nucleus]:
            continue
        if at is not None and at >= len(nucleus):
            continue
        if coda in _STOPS and tone is not None and tone[1] not in _STOP_TONES:
            continue
        return True
    return False


def is_syllable(word: str) -> bool:
    """Whether ``word`` is one well-formed Vietnamese syllable (any case, NFC or NFD).

    Checks the onset spelling (gh/ngh only before i, e, ê; c never before them), the
    nucleus and the codas it takes ("onh", "yn" and a bare "â" are not Vietnamese), at
    most one tone mark, on the nucleus but not on the glide of an open vowel group, and
    only sắc or nặng (or none) before a stop coda (p, t, c, ch). A word with a capital
    after a small letter ("ChÊn", a legacy byte read as latin-1) is no syllable.
    """
    if re.search(r"[^\W\d_][^\W\d_]*", word) is None or any(
        a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)
    ):
        return False
    bare, tones = _split_tone(word)
    if len(tones) > 1:
        return False
    tone = tones[0] if tones else None
    return any(
        bare.startswith(onset) and _rhyme_ok(onset, bare[len(onset):], tone)
        for onset in _ONSETS
    )


def _bad_syllables(text: str) -> int:
    """Count non-ASCII words that are no well-formed Vietnamese syllable (:func:`is_syllable`)."""
    return sum(
        1 for word in re.findall(r"[^\W\d_]+", text)
        if not word.isascii() and not is_syllable(word)
    )


def could_be_legacy(text: str) -> bool:
    """Non-ASCII text made only of latin-1/cp1252 characters (legacy bytes read as such)."""
    return bool(text) and not text.isascii() and _is_legacy_range(text)


_needs_check = could_be_legacy


def looks_like_tcvn3(text: object) -> bool:
    """Tell whether ``text`` is plausibly TCVN3 mojibake that decodes to clean Vietnamese."""
    return isinstance(text, str) and fix_legacy(text)[1] == "tcvn3"


def looks_like_vni(text: object) -> bool:
    """Tell whether ``text`` is plausibly VNI mojibake that decodes to clean Vietnamese."""
    return isinstance(text, str) and fix_legacy(text)[1] == "vni"


def _undecided(best: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two decodings, as (latin-1 junk left, bad syllables), are too close to choose.

    Less junk decides; with the same junk, a clean decoding beats one with a bad
    syllable, and otherwise it takes two bad syllables fewer (a single odd word may be
    a minority-language name, "Krông", that no syllable check knows).
    """
    if best[0] < second[0]:
        return False
    return not ((best[1] == 0 and second[1] >= 1) or second[1] - best[1] >= 2)


def font_encoding(font: str | None) -> str | None:
    """Legacy encoding a cell font implies, or None for a Unicode font.

    "tcvn3" (.VnTime, .VnArial, …; "tcvn3h" for the capitals-only .VnTimeH,
    .VnArialH, …), "vni" (VNI-Times, VNI-Helve, …).
    """
    name = (font or "").strip()
    if name.lower().startswith(".vn"):
        return "tcvn3h" if name.endswith("H") else "tcvn3"
    if name.lower().startswith("vni"):
        return "vni"
    return None


def _fix_with_font(text: str, encoding: str) -> tuple[str, str | None]:
    """Decode ``text`` typed in a legacy font: the font is decisive, the syllable check not.

    Refused only when decoding would leave more latin-1 junk or put two tone marks on a
    word (then the cell was not typed in that font after all).
    """
    decode = decode_vni if encoding == "vni" else decode_tcvn3
    out = decode(text)
    if out == text or _residual(out) > _residual(text) or _tone_clashes(out) > 0:
        return text, None
    if encoding == "tcvn3h":  # the font shows every letter as a capital
        out = out.upper()
    return unicodedata.normalize("NFC", out), "vni" if encoding == "vni" else "tcvn3"


def fix_legacy(text: str, font: str | None = None) -> tuple[str, str | None]:
    """Repair TCVN3/VNI mojibake; return (text, rule) with rule "tcvn3", "vni" or None.

    ``font``: the cell's font name when known (a workbook cell). A legacy font
    (:func:`font_encoding`) is decisive evidence: the text is decoded with its
    encoding. Otherwise the decision is heuristic and leaves unchanged: ASCII, anything
    with a char beyond latin-1/cp1252 (real Unicode), text without tell-tale evidence
    unless it decodes into clean Vietnamese, text whose decoding would still hold
    latin-1 junk or words with two tone marks, and text that decodes plausibly both
    ways (see :func:`_undecided`).
    """
    if not isinstance(text, str) or not _needs_check(text):
        return text, None
    encoding = font_encoding(font)
    if encoding is not None:
        return _fix_with_font(text, encoding)
    base_residual, base_bad = _residual(text), _bad_syllables(text)
    candidates: list[tuple[int, int, str, str, bool]] = []
    for rule, evidence, decode in (
        ("tcvn3", _tcvn3_evidence, decode_tcvn3),
        ("vni", _vni_evidence, decode_vni),
    ):
        out = decode(text)
        if out == text:
            continue
        residual, clashes, bad = _residual(out), _tone_clashes(out), _bad_syllables(out)
        if residual > base_residual or clashes > 0:
            continue
        if residual == base_residual and bad >= base_bad:
            continue
        if evidence(text) == 0 and (residual or bad or _foreign_letters(text, rule)):
            continue  # without a tell-tale byte, only a decoding into clean Vietnamese
        # a clean decoding alone may win for mixed-case text; in capitals (where the
        # legacy bytes look like Vietnamese capitals: "YÔNG") it may only block others
        candidates.append((residual, bad, rule, out, evidence(text) > 0 or not text.isupper()))
    if not candidates:
        return text, None
    candidates.sort()
    if len(candidates) > 1 and _undecided(candidates[0][:2], candidates[1][:2]):
        return text, None  # both decodings plausible: never guess
    residual, _, rule, out, shown = candidates[0]
    if not shown:
        return text, None
    return unicodedata.normalize("NFC", out), rule
