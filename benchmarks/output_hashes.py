"""sha256 of every output of a full ``run`` (clean tables, logs, analysis) of one round.

Runs the round as ``danvan-survey run`` does (with the analysis) under ``--root`` and
prints, or writes with ``--write``, a JSON manifest ``{file name: sha256}`` of
``<root>/data/clean/<round>/``. The byte-identity test (tests/test_output_identity.py)
compares a fresh run with the manifests committed under ``tests/output_digests/<round>.json``.

Usage: ``DANVAN_SALT=benchmark-salt .venv/bin/python benchmarks/output_hashes.py
--root /tmp/r --round demo-2014 [--write tests/output_digests/demo-2014.json]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from danvan_survey.cli import run_pipeline
from danvan_survey.config import clean_dir
from danvan_survey.export import sha256


def output_hashes(round_id: str, root: Path) -> dict[str, str]:
    """Run the round (with analysis) and hash every file it wrote."""
    run_pipeline(round_id, root, analyse=True)
    out = clean_dir(round_id, root)
    return {p.relative_to(out).as_posix(): sha256(p)
            for p in sorted(out.rglob("*")) if p.is_file()}


def main(argv: list[str] | None = None) -> int:
    """Print or write the manifest of one round's outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--round", dest="round_id", required=True)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args(argv)
    text = json.dumps(output_hashes(args.round_id, args.root), indent=2, sort_keys=True) + "\n"
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
