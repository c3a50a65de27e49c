#!/usr/bin/env bash
# Starts Jupyter on notebooks/ with the tslab (TypeScript) kernel, without opening a browser; Jupyter prints the URL
# (with its token) to open. Options: PORT (default 8888), HOST (default 127.0.0.1: this machine only).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { printf 'notebooks: %s\n' "$*" >&2; exit 1; }

# Debian's Jupyter; the python3 first on PATH may be another one without Jupyter.
jupyter=/usr/bin/jupyter
[ -x "$jupyter" ] || jupyter=$(command -v jupyter || true)
[ -n "$jupyter" ] && [ -x "$jupyter" ] || die "Jupyter is not installed: run sudo bash scripts/setup.sh (Debian packages jupyter-notebook, jupyter-nbconvert)."

# Quiets debugpy's frozen-modules warning that Debian's Python prints on every Jupyter start.
export PYDEVD_DISABLE_FILE_VALIDATION=1

# The kernel spec runs "tslab": it must be on the PATH Jupyter hands to the kernel. The list is read whole before
# searching it: `grep -q` in a pipe quits at the first match, and Jupyter, still printing, then dies of a broken pipe,
# which pipefail would take for a missing kernel (about one start in three).
[ -x "$root/node_modules/.bin/tslab" ] || die "tslab is not installed: run npm ci in $root."
export PATH="$root/node_modules/.bin:$PATH"
specs=$("$jupyter" kernelspec list --json 2>/dev/null || true)
grep -q '"tslab"' <<<"$specs" \
  || die "the tslab Jupyter kernel is not registered: run sudo bash scripts/setup.sh (or: PATH=\"$root/node_modules/.bin:\$PATH\" tslab install --python=/usr/bin/python3)."

app=notebook
if "$jupyter" lab --version >/dev/null 2>&1; then app=lab; fi
args=(--no-browser --ip="${HOST:-127.0.0.1}" --port="${PORT:-8888}" --notebook-dir="$root/notebooks")
[ "$(id -u)" -eq 0 ] && args+=(--allow-root)

printf 'notebooks: starting Jupyter %s on %s with the TypeScript (tslab) kernel.\n' "$app" "$root/notebooks" >&2
printf 'notebooks: open the http://127.0.0.1:… URL printed below (with its token) in a browser on this machine; Ctrl-C stops Jupyter.\n' >&2
[ "$(id -u)" -eq 0 ] || printf 'notebooks: not root — every notebook works except 05-collect (collecting needs root: sudo npm run notebooks).\n' >&2
exec "$jupyter" "$app" "${args[@]}"
