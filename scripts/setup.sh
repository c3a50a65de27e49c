#!/usr/bin/env bash
# cnibench set-up: installs every Debian package and npm dependency the project uses. Idempotent; run as root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo bash scripts/setup.sh): it installs Debian packages."
command -v apt-get >/dev/null || die "apt-get not found: cnibench's set-up targets Debian 12 (bookworm)."

# netperf lives in Debian's non-free component; enable it with a sources entry of our own (never edit the distro's).
nonfree=/etc/apt/sources.list.d/cnibench-non-free.sources
if ! grep -rqsE '^\s*(Components:.*\bnon-free\b|deb .*bookworm .*\bnon-free\b)' /etc/apt/sources.list /etc/apt/sources.list.d/ ; then
  # Reuse the mirror the machine already uses for bookworm main (first URIs: line or deb line that is not a comment).
  uri=$( { grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}';
           grep -hE '^\s*deb\s' /etc/apt/sources.list 2>/dev/null | awk '{print $2}'; } | grep -vE 'security|updates' | head -n1 || true)
  uri=${uri:-http://deb.debian.org/debian}
  say "enabling Debian non-free (for netperf) in $nonfree"
  cat >"$nonfree" <<SRC
Types: deb
URIs: $uri
Suites: bookworm
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

packages=(
  netperf linux-perf iproute2 iptables nftables ipset conntrack socat
  clang llvm libbpf-dev bpftool
  containernetworking-plugins
  chromium fonts-liberation poppler-utils
  jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel jupyter-notebook
  procps kmod iputils-ping ethtool
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "Debian packages: all ${#packages[@]} present"
fi

# puppeteer must never download a browser here: cnibench drives the system Chromium.
export PUPPETEER_SKIP_DOWNLOAD=1
say "installing npm dependencies (npm ci)"
npm ci --no-audit --no-fund
say "compiling the CLI (dist/)"
npm run build --silent

# tslab kernel for the notebooks, registered with Debian's python3 (the one that has Jupyter).
if [ -x node_modules/.bin/tslab ]; then
  say "registering the tslab Jupyter kernel"
  PATH="$here/node_modules/.bin:$PATH" node_modules/.bin/tslab install --python=/usr/bin/python3 >/dev/null
fi

say "installed versions:"
netperf -V 2>&1 | head -n1 | sed 's/^/  /' || true
perf --version | sed 's/^/  /'
clang --version | head -n1 | sed 's/^/  /'
chromium --version 2>/dev/null | sed 's/^/  /' || true
say "done. Check the machine with: npx cnibench doctor"
