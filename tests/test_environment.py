"""The installed libraries are the pinned ones (constraints.txt).

Output bytes depend on library versions: a Parquet file records the pandas and pyarrow
versions that wrote it, so pandas 3.1.2 changed every digest in ``tests/output_digests``
while every table stayed equal. These tests fail first, naming the package, instead of a
byte-identity test failing with a bare digest.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from danvan_survey.lineage import OUTPUT_LIBRARIES, library_versions

REPO = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    """``{normalised name: version}`` from constraints.txt."""
    found: dict[str, str] = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, ver = line.partition("==")
            assert sep, f"constraints.txt: '{line}' is not pinned with =="
            found[_norm(name)] = ver.strip()
    return found


def _requirement_name(req: str) -> str:
    return _norm(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0])


def test_every_installed_library_is_the_pinned_version() -> None:
    wrong = []
    for name, want in pins().items():
        try:
            got = version(name)
        except PackageNotFoundError:
            got = "(not installed)"
        if got != want:
            wrong.append(f"{name}: installed {got}, pinned {want}")
    assert not wrong, ("Libraries differ from constraints.txt; run `bash scripts/setup.sh` "
                       "(it installs with -c constraints.txt):\n" + "\n".join(wrong))


def test_every_dependency_is_pinned() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    missing = sorted({_requirement_name(r) for r in wanted} - set(pins()))
    assert not missing, f"not pinned in constraints.txt: {missing}"


def test_manifest_libraries_are_the_pinned_versions() -> None:
    recorded = library_versions()
    assert list(recorded) == list(OUTPUT_LIBRARIES)
    assert {_norm(k): v for k, v in recorded.items()} == {
        _norm(k): pins()[_norm(k)] for k in OUTPUT_LIBRARIES}
