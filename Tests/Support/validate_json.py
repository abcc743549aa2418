#!/usr/bin/env python3
"""Validates JSON Lines against a JSON Schema (draft 2020-12), line by line.

    validate_json.py SCHEMA.json FILE.jsonl

Prints `valid=N` and exits 0 when every line is valid; otherwise prints each invalid line's
number, the error and the line, and exits 1.
"""

import json
import sys

import jsonschema


def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    valid = invalid = 0
    with open(sys.argv[2]) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            document = json.loads(line)
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
            if errors:
                invalid += 1
                for error in errors[:3]:
                    print(f"line {number}: {'/'.join(map(str, error.path)) or '(root)'}: {error.message}: {line.strip()[:300]}")
            else:
                valid += 1
    print(f"valid={valid}")
    sys.exit(1 if invalid else 0)


if __name__ == "__main__":
    main()
