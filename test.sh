#!/usr/bin/env bash
# Runs every KefuSync test: front-end type and lint checks and unit tests (vitest), .NET unit and property tests, the
# store and backplane specification tests against in-memory, SQLite, a real PostgreSQL and a real Redis, integration
# tests over TestHost and Kestrel, and browser tests in the system Chromium. Installs what is missing (apt, npm),
# starts its servers on 127.0.0.1, and ends with one line: "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
OUT="$ROOT/.test-output"
rm -rf "$OUT"; mkdir -p "$OUT"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. System packages: Redis, PostgreSQL 15, Chromium and nginx come from apt (never a downloaded browser or binary).
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# nginx: the multi-node browser test runs samples/MultiNode/run.sh (three sample nodes behind a round-robin proxy).
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
command -v curl >/dev/null 2>&1 || need+=(curl)
# CJK glyphs for the zh-CN screenshots (without them Chinese renders as boxes in artifacts/screenshots).
# (grep reads all of fc-list's output: with -q it may exit first, and under pipefail fc-list's SIGPIPE reads as "missing")
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -i "Noto Color Emoji" >/dev/null || need+=(fonts-noto-color-emoji)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} (apt)"
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need[@]}" >/dev/null \
    || { echo "could not install ${need[*]}: run 'apt-get install -y ${need[*]}'"; echo "0 passed, 1 failed"; exit 1; }
fi

# 2. Build everything (the widget's MSBuild target runs `npm ci` and esbuild).
echo "== dotnet build"
if ! dotnet build KefuSync.sln -c Release -nologo -v:q -clp:ErrorsOnly > "$OUT/build.log" 2>&1; then
  cat "$OUT/build.log"; echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

passed=0; failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); }

# 3. Front-end static checks: tsc (strict, see tsconfig.json) and ESLint with typescript-eslint's type-checked rules
#    (eslint.config.mjs). Each is one test: any finding fails it.
for check in typecheck lint; do
  echo "== npm run $check (src/KefuSync.Widget)"
  if ( cd src/KefuSync.Widget && npm run --silent "$check" ) > "$OUT/$check.log" 2>&1; then
    echo "$check: ok"; add 1 0
  else
    cat "$OUT/$check.log"; echo "$check: FAILED"; add 0 1
  fi
done

# 4. Front-end unit tests (OT vectors, sync client, widget), including the bundle size check.
echo "== vitest (src/KefuSync.Widget)"
( cd src/KefuSync.Widget && npx vitest run --reporter=default --reporter=json --outputFile="$OUT/vitest.json" ) || true
if [ -f "$OUT/vitest.json" ]; then
  vp=$(grep -o '"numPassedTests":[0-9]*' "$OUT/vitest.json" | head -1 | cut -d: -f2)
  vf=$(grep -o '"numFailedTests":[0-9]*' "$OUT/vitest.json" | head -1 | cut -d: -f2)
  vx=$(grep -o '"numFailedTestSuites":[0-9]*' "$OUT/vitest.json" | head -1 | cut -d: -f2)
  add "${vp:-0}" $(( ${vf:-0} + ${vx:-0} ))
else
  echo "vitest produced no report"; add 0 1
fi

# 5. .NET test projects, one at a time (they start real servers and browsers; 2 cores).
for project in tests/KefuSync.AspNetCore.Tests tests/KefuSync.Stores.Tests samples/ThirdPartyStore tests/KefuSync.Integration.Tests tests/KefuSync.Browser.Tests tests/KefuSync.FreshApp.Tests; do
  name=$(basename "$project")
  echo "== dotnet test $name"
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$OUT" || true
  trx="$OUT/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(echo "$counters" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
    f=$(echo "$counters" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
    e=$(echo "$counters" | grep -o ' error="[0-9]*"' | grep -o '[0-9]*')
    t=$(echo "$counters" | grep -o ' total="[0-9]*"' | grep -o '[0-9]*')
    x=$(echo "$counters" | grep -o ' executed="[0-9]*"' | grep -o '[0-9]*')
    # A test that did not run (host crash, abort) counts as failed: nothing passes by not running.
    notrun=$(( ${t:-0} - ${x:-0} ))
    add "${p:-0}" $(( ${f:-0} + ${e:-0} + notrun ))
    if [ "${t:-0}" = 0 ]; then echo "$name ran no test"; add 0 1; fi
  else
    echo "$name produced no results (crashed before reporting)"; add 0 1
  fi
done

# 6. Load-generator smoke: KefuSync, raw Kestrel and SignalR for a few seconds each, so the benchmark harness cannot
#    rot. It fails on loss, duplicates, reordering or non-convergence; it never asserts a timing.
echo "== load generator smoke"
if dotnet tests/KefuSync.LoadGenerator/bin/Release/net10.0/KefuSync.LoadGenerator.dll --smoke > "$OUT/smoke.log" 2>&1 && grep -q "SMOKE OK" "$OUT/smoke.log"; then
  echo "smoke: ok"; add 1 0
else
  tail -30 "$OUT/smoke.log"; echo "smoke: FAILED"; add 0 1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
