#!/usr/bin/env bash
# Creates (or refreshes) .venv at the repository root with everything the project needs.
# Idempotent: it reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ -f "$stamp" ]; then
  exit 0
fi
echo "setting up .venv (first run only; a few minutes)..." >&2
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip >&2
# torch is pinned in the same command so pip takes the CPU build (see README). The milvus and ray
# extras are installed too so the tests of those backends run (the default install stays lean).
.venv/bin/python -m pip install --quiet -e ".[dev,train,milvus,ray]" "torch==2.13.0" >&2
rm -f .venv/.installed-*
touch "$stamp"
