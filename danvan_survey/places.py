"""Match typed commune and district names to GSO codes, offline and without guessing.

:class:`CommuneMatcher` is built from a communes frame (``reference.communes("60")``
or the national ``reference.admin_units("2014")``) and accepts 5-digit codes (leading
zero optional), names with or without diacritics, NFD text, legacy-font mojibake,
type prefixes (``X.``, ``Xã``, ``P.``, ``Phường``, ``TT``, ``T.T``, ``Thị trấn``)
and i/y spelling variants (``Phú Quý``/``Phú Quí``). Typos are matched with
rapidfuzz only when one commune is clearly ahead; anything else is reported as
``ambiguous`` with its candidates, never guessed.

``vietnamadminunits`` is *not* needed here; if installed, :func:`ensure_offline`
(run at import) disables its ArcGIS geocoder so nothing can go online.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz, process

from danvan_survey.textfix import fold, normalize_text

__all__ = [
    "CommuneMatcher",
    "MatchResult",
    "OfflineError",
    "ensure_offline",
    "FUZZY_MIN_SCORE",
    "FUZZY_MIN_LEAD",
]

FUZZY_MIN_SCORE = 90.0
FUZZY_MIN_LEAD = 5.0


class OfflineError(RuntimeError):
    """Raised when code tries to geocode online (this project never goes online)."""


def _refuse_geocoding(*_args: object, **_kwargs: object) -> None:
    raise OfflineError(
        "Không được tra cứu địa chỉ trực tuyến (geocoder): dự án chỉ dùng dữ liệu "
        "đơn vị hành chính ngoại tuyến trong danvan_survey/reference."
    )


def ensure_offline() -> bool:
    """Disable vietnamadminunits' online geocoder; return True if the package is present.

    Patches ``vietnamadminunits.converter.converter_2025.get_geo_location`` (the name
    the 2025 converter calls when an old ward was split and a street is given) and
    ``vietnamadminunits.parser.utils.get_geo_location`` to raise :class:`OfflineError`.
    """
    try:
        from vietnamadminunits.converter import converter_2025
        from vietnamadminunits.parser import utils
    except ImportError:
        return False
    converter_2025.get_geo_location = _refuse_geocoding
    utils.get_geo_location = _refuse_geocoding
    geolocator = getattr(utils, "geolocator", None)
    if geolocator is not None:
        geolocator.geocode = _refuse_geocoding
    return True


ensure_offline()


@dataclass(frozen=True)
class MatchResult:
    """Outcome of matching one typed commune name.

    ``status``: ``code`` (a valid code was typed), ``exact`` (official name, with or
    without type prefix), ``folded`` (same after removing accents/case/punctuation/
    prefix, i~y), ``fuzzy`` (typo, one commune clearly ahead), ``ambiguous`` (several
    communes fit; see ``candidates``), ``unmatched``. ``candidates`` holds
    ``(code, commune_name, district_name, score)``, best first.
    """

    code: str | None
    status: str
    candidates: list[tuple[str, str, str, float]] = field(default_factory=list)


_COMMUNE_PREFIXES = [
    ("thi tran", "Thị trấn"), ("t t", "Thị trấn"), ("tt", "Thị trấn"),
    ("phuong", "Phường"), ("p", "Phường"), ("xa", "Xã"), ("x", "Xã"),
]
_DISTRICT_PREFIXES = [
    "thanh pho", "thi xa", "huyen", "quan", "tp", "tx", "h", "q",
]
_IY_RE = re.compile(r"\b(qu|[bcdghklmnprstvx]|th|ch|kh|nh|ph|tr)y\b")


def _iy(key: str) -> str:
    """Treat final -y and -i alike after a consonant ("quý"/"quí", "mỹ"/"mĩ")."""
    return _IY_RE.sub(r"\1i", key)


def _strip_prefix(key: str, prefixes: Sequence[str]) -> tuple[str, str | None]:
    """Remove one leading type prefix from a folded key; return (rest, prefix)."""
    for prefix in prefixes:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            return key[len(prefix) + 1 :], prefix
    return key, None


def _strip_type(name: str, type_: str) -> str:
    """Official name without its type word: "Phường Mũi Né" → "Mũi Né"."""
    if fold(name).startswith(fold(type_) + " "):
        return name[len(type_) :].strip()
    return name


class CommuneMatcher:
    """Offline matcher of typed commune/district names to codes (see module doc)."""

    def __init__(self, communes: pd.DataFrame) -> None:
        """Index a frame with commune_code, commune_name, commune_type, district_*."""
        cols = ["commune_code", "commune_name", "commune_type", "district_code", "district_name"]
        missing = [c for c in cols if c not in communes.columns]
        if missing:
            raise ValueError(f"communes frame lacks columns {missing}")
        frame = communes[cols].astype(str).drop_duplicates("commune_code")
        frame = frame.sort_values("commune_code").reset_index(drop=True)
        self._rows: dict[str, tuple[str, str, str, str]] = {}
        self._by_key: dict[str, list[str]] = {}
        self._by_district: dict[str, list[str]] = {}
        self._exact: dict[str, list[str]] = {}
        self._fuzzy_keys: dict[str, str] = {}  # code -> folded name without type
        self._fuzzy_full: dict[str, str] = {}  # code -> folded name with type
        for code, name, type_, dcode, dname in frame.itertuples(index=False):
            self._rows[code] = (name, type_, dcode, dname)
            core = _strip_type(name, type_)
            key = _iy(fold(core))
            self._by_key.setdefault(key, []).append(code)
            self._by_district.setdefault(dcode, []).append(code)
            for exact in {name, core}:
                self._exact.setdefault(exact, []).append(code)
            self._fuzzy_keys[code] = key
            self._fuzzy_full[code] = _iy(fold(name))
        self._districts: dict[str, list[str]] = {}
        self._district_names: dict[str, str] = {}
        for dcode, dname in frame[["district_code", "district_name"]].drop_duplicates(
            "district_code"
        ).itertuples(index=False):
            self._district_names[dcode] = dname
            folded = fold(dname)
            core, _ = _strip_prefix(folded, _DISTRICT_PREFIXES)
            for key in {_iy(folded), _iy(core)}:
                self._districts.setdefault(key, []).append(dcode)
        self._cache: dict[tuple[str, str | None], MatchResult] = {}
        self._district_cache: dict[str, str | None] = {}

    # -- districts ------------------------------------------------------------------
    def match_district(self, name: object) -> str | None:
        """District code for a typed district name or code; None if unknown/ambiguous."""
        if name is None or (isinstance(name, float) and pd.isna(name)):
            return None
        key = str(name)
        if key not in self._district_cache:
            self._district_cache[key] = self._match_district(key)
        return self._district_cache[key]

    def _match_district(self, name: str) -> str | None:
        text = normalize_text(str(name))
        digits = text.strip()
        if re.fullmatch(r"\d{1,3}(?:\.0+)?", digits):
            dcode = digits.split(".")[0].zfill(3)
            return dcode if dcode in self._district_names else None
        key = _iy(fold(text))
        hits = self._districts.get(key)
        if hits is None:
            core, _ = _strip_prefix(key, _DISTRICT_PREFIXES)
            hits = self._districts.get(core)
        if hits and len(set(hits)) == 1:
            return hits[0]
        if hits:
            return None
        best = process.extract(key, list(self._districts), scorer=fuzz.ratio, limit=2)
        if best and best[0][1] >= FUZZY_MIN_SCORE and len(self._districts[best[0][0]]) == 1:
            if len(best) == 1 or best[0][1] - best[1][1] >= FUZZY_MIN_LEAD:
                return self._districts[best[0][0]][0]
        return None

    # -- communes -------------------------------------------------------------------
    def _candidate(self, code: str, score: float) -> tuple[str, str, str, float]:
        name, _, _, dname = self._rows[code]
        return (code, name, dname, float(score))

    def _candidates(
        self, codes: list[str], scores: list[float]
    ) -> list[tuple[str, str, str, float]]:
        """Candidates best first, then by code."""
        return sorted(
            (self._candidate(c, s) for c, s in zip(codes, scores, strict=True)),
            key=lambda t: (-t[3], t[0]),
        )

    def _result(self, codes: list[str], status: str, scores: list[float]) -> MatchResult:
        cands = self._candidates(codes, scores)
        if status in ("exact", "folded", "code") and len(codes) == 1:
            return MatchResult(codes[0], status, cands)
        return MatchResult(None, status, cands)

    def match(self, name: object, district: object = None) -> MatchResult:
        """Match one typed commune name, optionally within a typed district."""
        dkey = None if district is None or (isinstance(district, float) and pd.isna(district)) \
            else str(district)
        cache_key = (name if isinstance(name, str) else repr(name), dkey)
        hit = self._cache.get(cache_key)
        if hit is None:
            hit = self._match(name, dkey)
            self._cache[cache_key] = hit
        return hit

    def _match(self, name: object, district: str | None) -> MatchResult:
        if name is None or (isinstance(name, float) and pd.isna(name)):
            return MatchResult(None, "unmatched")
        text = normalize_text(str(name))
        dcode = self.match_district(district) if district is not None else None
        if re.fullmatch(r"\d{4,5}(?:\.0+)?", text):
            code = text.split(".")[0].zfill(5)
            if code in self._rows and (dcode is None or self._rows[code][2] == dcode):
                return self._result([code], "code", [100.0])
            return MatchResult(None, "unmatched")
        folded = fold(text)
        if not folded:
            return MatchResult(None, "unmatched")
        core, prefix = _strip_prefix(folded, [p for p, _ in _COMMUNE_PREFIXES])
        type_ = dict(_COMMUNE_PREFIXES).get(prefix) if prefix else None
        # no narrowing by type here: an exact text either is a full official name (its hits
        # share its type) or a name without its type word, whose first word only looks like
        # one ("Phương Liên" is not "Phường Liên")
        exact = self._exact.get(text, [])
        found = self._scope(exact, dcode, None)
        if found:
            return self._pick(found, "exact")
        for key in (_iy(core), _iy(folded)):
            codes = self._by_key.get(key, [])
            found = self._scope(codes, dcode, type_)
            if found:
                return self._pick(found, "folded")
            if codes and dcode is not None:  # right name, other district: report, no guess
                return self._result(codes, "unmatched", [100.0] * len(codes))
        return self._fuzzy(_iy(core), _iy(folded), dcode, type_)

    def _scope(self, codes: list[str], dcode: str | None, type_: str | None) -> list[str]:
        """Codes within the district (if known), narrowed by a typed prefix if that helps."""
        inside = [c for c in codes if dcode is None or self._rows[c][2] == dcode]
        if type_ and len(inside) > 1:
            typed = [c for c in inside if fold(self._rows[c][1]) == fold(type_)]
            if typed:
                return typed
        return inside

    def _pick(self, found: list[str], status: str) -> MatchResult:
        unique = sorted(set(found))
        if len(unique) == 1:
            return self._result(unique, status, [100.0])
        return self._result(unique, "ambiguous", [100.0] * len(unique))

    def _fuzzy(self, core: str, full: str, dcode: str | None, type_: str | None
               ) -> MatchResult:
        """Typo match: best of (core vs core names, full text vs full names)."""
        pool = self._by_district.get(dcode, []) if dcode else list(self._rows)
        if type_:
            typed = [c for c in pool if fold(self._rows[c][1]) == fold(type_)]
            pool = typed or pool
        scored: dict[str, float] = {}
        for query, keys in ((core, self._fuzzy_keys), (full, self._fuzzy_full)):
            choices = {c: keys[c] for c in pool}
            for _, score, code in process.extract(
                query, choices, scorer=fuzz.ratio, limit=5, score_cutoff=60
            ):
                scored[code] = max(scored.get(code, 0.0), float(score))
        best = sorted(((s, c) for c, s in scored.items()), key=lambda t: (-t[0], t[1]))[:5]
        if not best:
            return MatchResult(None, "unmatched")
        codes = [c for _, c in best]
        scores = [sc for sc, _ in best]
        top = scores[0]
        runner_up = scores[1] if len(scores) > 1 else 0.0
        if top >= FUZZY_MIN_SCORE and top - runner_up >= FUZZY_MIN_LEAD:
            return MatchResult(codes[0], "fuzzy", self._candidates(codes, scores))
        status = "ambiguous" if top >= FUZZY_MIN_SCORE - 10 else "unmatched"
        return self._result(codes, status, scores)

    def match_many(
        self, names: Sequence[object], districts: Sequence[object] | None = None
    ) -> list[MatchResult]:
        """Match many rows; identical (name, district) pairs are matched once."""
        if districts is None:
            districts = [None] * len(names)
        if len(districts) != len(names):
            raise ValueError("names and districts differ in length")
        match = self.match
        return [match(n, d) for n, d in zip(names, districts, strict=True)]
