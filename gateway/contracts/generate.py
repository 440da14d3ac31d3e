"""Regenerates the committed JSON Schema files from the wire models.

`python -m gateway.contracts.generate` writes them; `--check` exits 1 and names the files that
are stale, missing or no longer generated (what the contract test asserts).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from transforms import portal, tms_json

CONTRACTS_DIR = Path(__file__).resolve().parent
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_SUFFIX = ".schema.json"


def schemas() -> dict[str, dict[str, Any]]:
    """Every contract schema, keyed by its path relative to the contracts folder."""
    found = {f"tms/v1/{name}": schema for name, schema in tms_json.json_schemas().items()}
    found["portal/v1/update"] = portal.json_schema()
    return {
        f"{path}{_SUFFIX}": {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": f"urn:logistics-edi-gateway:contracts:{path.replace('/', ':')}",
            **schema,
        }
        for path, schema in found.items()
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def stale(root: Path = CONTRACTS_DIR) -> list[str]:
    """Paths whose committed file differs from the generated schema, is missing, or is a schema
    file nothing generates any more."""
    expected = {path: render(schema) for path, schema in schemas().items()}
    problems = [
        path
        for path, text in expected.items()
        if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text
    ]
    committed = {p.relative_to(root).as_posix() for p in root.rglob(f"*{_SUFFIX}")}
    problems += sorted(committed - expected.keys())
    return problems


def write(root: Path = CONTRACTS_DIR) -> list[Path]:
    """Write every schema (and remove schema files nothing generates); returns what was written."""
    expected = schemas()
    for orphan in root.rglob(f"*{_SUFFIX}"):
        if orphan.relative_to(root).as_posix() not in expected:
            orphan.unlink()
    written = []
    for path, schema in expected.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(schema), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when files are stale")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for path in problems:
            print(f"stale: {path}")
        return 1 if problems else 0
    for target in write():
        print(f"wrote {target.relative_to(CONTRACTS_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
