"""What a round's manifest records so that two rounds can be compared honestly.

- :func:`definition_fingerprints`: one short hash per codebook variable over what defines
  its answers (type, choice list and codes, constraint, relevance, label). Two rounds whose
  fingerprints differ for a variable measured different things: ``compare`` does not
  compare it and says why.
- :func:`salt_fingerprint`: a hash of the pseudonymisation salt (never the salt itself).
  Cadres can be linked across rounds by ``person_link`` only when both fingerprints match.
- :func:`library_versions`: the versions of the libraries that shape the output bytes (a
  Parquet file records the pandas and pyarrow versions that wrote it), so a digest that
  differs between two machines can be traced to its cause.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version

from danvan_survey.codebook import Codebook, Variable

# Distributions whose version can change what a round writes (cells, bytes, charts).
OUTPUT_LIBRARIES = (
    "pandas", "pyarrow", "numpy", "pandera", "polars", "openpyxl", "xlsxwriter",
    "python-calamine", "ftfy", "rapidfuzz", "vietnamadminunits", "jinja2", "plotly", "kaleido",
    "python-docx", "pyxform",
)
SALT_FINGERPRINT_PREFIX = b"danvan_survey salt fingerprint v1|"


def definition_text(var: Variable, cb: Codebook) -> str:
    """The parts of a variable's definition that decide what its values mean."""
    codes = ""
    if var.list_name and var.list_name in cb.choices:
        codes = ",".join(f"{c.code}={c.label_vi}" for c in cb.choices[var.list_name])
    return "|".join([var.base_type, var.list_name or "", codes, var.constraint, var.relevant,
                     var.label_vi])


def definition_fingerprints(cb: Codebook) -> dict[str, dict[str, str]]:
    """Per form, per variable: first 12 hex digits of sha256 of its definition."""
    return {
        form: {v.name: hashlib.sha256(definition_text(v, cb).encode("utf-8")).hexdigest()[:12]
               for v in cb.form(form)}
        for form in ("a", "b")
    }


def salt_fingerprint(salt: bytes) -> str:
    """Short one-way fingerprint of the salt: equal fingerprints ⇔ same salt (in practice)."""
    return hashlib.sha256(SALT_FINGERPRINT_PREFIX + salt).hexdigest()[:16]


def library_versions() -> dict[str, str]:
    """Installed version of each of :data:`OUTPUT_LIBRARIES`."""
    return {name: version(name) for name in OUTPUT_LIBRARIES}
