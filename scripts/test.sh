#!/usr/bin/env bash
# Runs every test file under test/ with Node's test runner (tsx loads TypeScript). Root tests run one file at a time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(find test -name '*.test.ts' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files under test/" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 "$@" "${files[@]}"
