#!/usr/bin/env bash
# Installs or verifies every tool the tests and the rehearsal need, before any work starts:
#   Node.js 20+, moto_server (moto[server]==5.2.1), cfn-lint, the aws CLI, a JDK 17+ (Neo4j 5.x),
#   a JDK 21+ (Neo4j 2025.x and later), Maven (the embedded Neo4j comes from Maven Central) and HAProxy
#   (the Camunda rehearsal's load balancer).
# What is there is only looked at (well under 2 s). A missing Python tool is installed into the project's
# own virtualenv (.tools/venv, whose bin/ the tests and the rehearsal put first on PATH: see
# tools/project-tools.ts); a missing JDK, Maven or HAProxy is installed with apt-get when this runs as root.
# Prints one line per tool it could not install and exits 1 without doing anything else.
# Run by `npm test` and `npm run rehearse` (pretest, prerehearse) and by .ci/run.
set -uo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.1
VENV=.tools/venv
# The tests and the rehearsal find tools installed here first; so does the rest of this script.
[ -d "$VENV/bin" ] && PATH="$PWD/$VENV/bin:$PATH"

missing=()
installed=()
say() { echo "setup: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }
miss() { missing+=("$1"); }

# --- Python tools --------------------------------------------------------------------------------------
# Version of a Python distribution as the python3 on PATH sees it ('' when absent). moto_server is run by
# `python3` (the rehearsal imports moto), so that python3 must have it, not just any.
python_versions() {
  python3 - "$@" 2>/dev/null <<'PY'
import importlib.metadata as m, sys
for name in sys.argv[1:]:
    try:
        print(m.version(name))
    except m.PackageNotFoundError:
        print('')
PY
}

pip_into_venv() {
  if ! have python3; then
    return 1
  fi
  if [ ! -x "$VENV/bin/python3" ]; then
    python3 -m venv "$VENV" >/dev/null 2>&1 || return 1
    PATH="$PWD/$VENV/bin:$PATH"
  fi
  "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "$@" >/dev/null 2>"$VENV/pip.err" || return 1
  hash -r
}

# A pyenv shim is on PATH for a tool of any installed Python version: it runs only when the python3 that
# pyenv selects has the tool's distribution.
usable() {
  local cmd=$1 version=$2 path
  path=$(command -v "$cmd") || return 1
  case "$path" in */shims/*) [ -n "$version" ] ;; *) true ;; esac
}

python_tools() {
  if ! have python3; then
    miss "python3 (runs moto_server, cfn-lint and the aws CLI): install Python 3 with pip and venv"
    return
  fi
  local versions moto_v cfn_v aws_v flask_v want=()
  versions=$(python_versions moto cfn-lint awscli flask)
  { read -r moto_v; read -r cfn_v; read -r aws_v; read -r flask_v; } <<<"$versions"
  # The rehearsal runs its patched moto with python3, so python3 itself must import the pinned moto.
  if ! usable moto_server "$moto_v" || [ "$moto_v" != "$MOTO_VERSION" ] || [ -z "$flask_v" ]; then
    want+=("moto[server]==$MOTO_VERSION")
  fi
  usable cfn-lint "$cfn_v" || want+=(cfn-lint)
  usable aws "$aws_v" || want+=(awscli)
  [ ${#want[@]} -eq 0 ] && return
  say "installing ${want[*]} into $VENV"
  if pip_into_venv "${want[@]}"; then
    installed+=("${want[@]}")
  else
    local why
    why="pip install into $VENV failed: $(tail -1 "$VENV/pip.err" 2>/dev/null || echo 'python3 -m venv is unavailable')"
    for w in "${want[@]}"; do miss "$w: $why; install it with: pip install '$w'"; done
  fi
}

# --- JDKs ----------------------------------------------------------------------------------------------
# The same places tools/neo4j-embedded looks (javaCandidates): NEO4J_EMBEDDED_JAVA_HOME, JAVA_HOME,
# `java` on PATH, /usr/lib/jvm/*. A JDK counts when it has both java and javac.
jdk_major() {
  local home=$1 v='' line
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  if [ -f "$home/release" ]; then
    while IFS= read -r line; do
      case $line in JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/} ;; esac
    done <"$home/release"
  fi
  [ -n "$v" ] || v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -1)
  case "$v" in 1.*) v=${v#1.} ;; esac
  v=${v%%[.+-]*}
  [ -n "$v" ] && echo "$v"
}

jdk_homes() {
  local h
  for h in "${NEO4J_EMBEDDED_JAVA_HOME:-}" "${JAVA_HOME:-}"; do [ -n "$h" ] && echo "$h"; done
  if have java; then h=$(readlink -f "$(command -v java)"); echo "${h%/bin/java}"; fi
  for root in /usr/lib/jvm /usr/local/lib/jvm /opt/java; do
    [ -d "$root" ] && for h in "$root"/*; do echo "$h"; done
  done
}

# Every JDK found, read once (again after an install): majors and homes, in the same order.
jdk_majors=()
jdk_homes_found=()
list_jdks() {
  local h m seen=' '
  jdk_majors=(); jdk_homes_found=()
  while read -r h; do
    case "$seen" in *" $h "*) continue ;; esac
    seen="$seen$h "
    m=$(jdk_major "$h") || continue
    jdk_majors+=("$m"); jdk_homes_found+=("$h")
  done < <(jdk_homes)
}

# Echoes "MAJOR HOME" of the smallest JDK at least $1, as tools/neo4j-embedded chooses.
find_jdk() {
  local need=$1 i best=''
  for i in "${!jdk_majors[@]}"; do
    if [ "${jdk_majors[$i]}" -ge "$need" ] && { [ -z "$best" ] || [ "${jdk_majors[$i]}" -lt "${jdk_majors[$best]}" ]; }; then best=$i; fi
  done
  [ -n "$best" ] && echo "${jdk_majors[$best]} ${jdk_homes_found[$best]}"
}

# apt-get only as root, and its package lists refreshed once, only when something is to be installed.
apt_ready=''
apt_usable() {
  [ "$(id -u)" = 0 ] && have apt-get && have apt-cache || return 1
  if [ -z "$apt_ready" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt_ready=1
  fi
}
apt_install() {
  apt_usable && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

# The first of these Debian packages that apt knows about (Debian 12 has no JDK 21; Debian 13 does).
apt_candidate() {
  apt_usable || return 1
  local p
  for p in "$@"; do
    if apt-cache show "$p" >/dev/null 2>&1; then echo "$p"; return 0; fi
  done
  return 1
}

jdk() {
  local need=$1 why=$2 found pkg
  found=$(find_jdk "$need") && { jdks+=("JDK ${found/ / (}),"); return; }
  say "no JDK $need+ found: installing one"
  if pkg=$(apt_candidate "openjdk-$need-jdk-headless" "temurin-$need-jdk" openjdk-21-jdk-headless openjdk-25-jdk-headless) \
    && apt_install "$pkg" && list_jdks && found=$(find_jdk "$need"); then
    installed+=("$pkg"); jdks+=("JDK ${found/ / (}),"); return
  fi
  miss "JDK $need+ ($why): none found and apt-get cannot install one here; install Eclipse Temurin $need+ or openjdk-$need-jdk-headless under /usr/lib/jvm, or set NEO4J_EMBEDDED_JAVA_HOME"
}

# --- checks --------------------------------------------------------------------------------------------
node_version=$(node --version 2>/dev/null) || node_version=''
if [ -z "$node_version" ]; then
  miss "node: install Node.js 20 or newer"
else
  node_major=${node_version#v}; node_major=${node_major%%.*}
  [ "$node_major" -ge 20 ] || miss "node $node_version is too old: install Node.js 20 or newer"
fi

python_tools

jdks=()
list_jdks
jdk 17 "Neo4j 5.x"
jdk 21 "Neo4j 2025.x and later"

if ! have mvn; then
  say "mvn not found: installing Maven"
  if apt_install maven && have mvn; then installed+=(maven); else
    miss "mvn (fetches the embedded Neo4j from Maven Central): apt-get cannot install it here; install Apache Maven 3.8+"
  fi
fi

# The Camunda rehearsal's load balancer (tools/rehearsal/camunda/haproxy.ts): Debian's haproxy.
if ! have haproxy; then
  say "haproxy not found: installing it"
  if apt_install haproxy && have haproxy; then installed+=(haproxy); else
    miss "haproxy (the load balancer of the Camunda rehearsal): apt-get cannot install it here; install HAProxy 2.4+"
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  for m in "${missing[@]}"; do echo "setup: MISSING $m" >&2; done
  echo "setup: stopped before any work: ${#missing[@]} tool(s) missing" >&2
  exit 1
fi
[ ${#installed[@]} -gt 0 ] && say "installed: ${installed[*]}"
say "ready: node $node_version, moto $MOTO_VERSION, cfn-lint, aws, ${jdks[*]} mvn, haproxy"
