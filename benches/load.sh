#!/usr/bin/env bash
# Load benchmark: a release oneid on SQLite against reference handlers built in the
# same run (benches/reference.rs), measured with wrk on this machine. Writes a Markdown
# table to benches/results/latest.md. Budgets: shared/design.md.
#
#   benches/load.sh                 # 10 s per scenario, 32 connections
#   DURATION=30s benches/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
export THREADS

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }

cargo build --release --quiet
cargo bench --bench reference --no-run --quiet 2>/dev/null
reference_bin=$(ls -t target/release/deps/reference-* | grep -v '\.d$' | head -n1)

work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

ref=127.0.0.1:9100
oneid=127.0.0.1:9200
secret=bench-client-secret-0123456789abcdefghijklmnop
cat > "$work/oneid.toml" <<TOML
issuer = "http://$oneid"
bind = "$oneid"
[database]
url = "sqlite://$work/oneid.db"
[keys]
master_key_file = "$work/master.key"
[log]
level = "warn"
[[clients]]
id = "bench"
secret = "$secret"
redirect_uris = ["https://bench.example.com/callback"]
grant_types = ["authorization_code", "refresh_token", "client_credentials"]
scopes = ["openid", "email", "offline_access", "api"]
skip_consent = true
TOML
oneid_cmd=(target/release/oneid --config "$work/oneid.toml")

wait_for() { for _ in $(seq 1 500); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.01; done; echo "no answer from $1" >&2; exit 1; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

"$reference_bin" "$ref" "$work" 2>/dev/null & pids+=($!)
"${oneid_cmd[@]}" serve 2>"$work/oneid.log" & first=$!
wait_for "http://$oneid/readyz"
kill "$first"; wait "$first" 2>/dev/null || true

# Start to ready on an existing database.
start_ns=$(date +%s%N)
"${oneid_cmd[@]}" serve 2>>"$work/oneid.log" & server=$!; pids+=($server)
wait_for "http://$oneid/readyz"
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
wait_for "http://$ref/empty"
sleep 1
idle_rss=$(rss_kib "$server")

echo "bench password 1234" | "${oneid_cmd[@]}" users add --email bench@example.com --password-stdin >/dev/null
python3 benches/tokens.py "http://$oneid" bench "$secret" https://bench.example.com/callback bench@example.com "bench password 1234" 256 "$work"
access=$(cat "$work/access_token")
basic="Basic $(printf 'bench:%s' "$secret" | base64 -w0)"

peak_rss=$idle_rss
results=()
# run NAME URL SCRIPT [ENV...]: one wrk run; records req/s, p50, p99 and non-2xx.
run() {
  local name=$1 url=$2 script=$3; shift 3
  local sampler
  ( while kill -0 "$server" 2>/dev/null; do rss_kib "$server"; sleep 0.2; done ) > "$work/rss.$name" & sampler=$!
  local out
  out=$(env "$@" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "benches/wrk/$script" "$url")
  kill "$sampler" 2>/dev/null || true
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<<"$out"); errors=${errors:-0}
  local peak; peak=$(sort -n "$work/rss.$name" | tail -n1); peak=${peak:-0}
  [ "$peak" -gt "$peak_rss" ] && peak_rss=$peak
  results+=("$name|$rps|$p50|$p99|$errors")
  printf '%-28s %10s req/s  p50 %-9s p99 %-9s non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "$errors"
}

run "ref: empty handler" "http://$ref/empty" get.lua
run "ref: parse form + sign ES256" "http://$ref/sign" post.lua BODY="grant_type=client_credentials&scope=api"
run "ref: verify ES256" "http://$ref/verify" post.lua BODY="token=x"
run "ref: parse form + insert" "http://$ref/insert" post.lua BODY="grant_type=refresh_token&refresh_token=x"
run "discovery" "http://$oneid/.well-known/openid-configuration" get.lua
run "jwks" "http://$oneid/jwks" get.lua
run "client_credentials" "http://$oneid/token" post.lua BODY="grant_type=client_credentials&scope=api" AUTH="$basic"
run "introspection" "http://$oneid/introspect" post.lua BODY="token=$access" AUTH="$basic"
run "userinfo" "http://$oneid/userinfo" get.lua AUTH="Bearer $access"
run "refresh (rotation)" "http://$oneid/token" refresh.lua TOKENS="$work/refresh_tokens" AUTH="$basic"

rate() { for r in "${results[@]}"; do [ "${r%%|*}" = "$1" ] && { cut -d'|' -f2 <<<"$r"; return; }; done; }
ratio() { awk -v a="$(rate "$1")" -v b="$(rate "$2")" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }'; }

report=benches/results/latest.md
{
  echo "# Load benchmark"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), wrk -t$THREADS -c$CONNECTIONS -d$DURATION on the same machine, oneid release build on SQLite."
  echo
  echo "| scenario | requests/s | p50 | p99 | non-2xx |"
  echo "|---|---:|---:|---:|---:|"
  for r in "${results[@]}"; do IFS='|' read -r n rps p50 p99 e <<<"$r"; echo "| $n | $rps | $p50 | $p99 | $e |"; done
  echo
  echo "| budget (design.md) | measured | target |"
  echo "|---|---:|---:|"
  echo "| discovery / empty handler | $(ratio discovery 'ref: empty handler') | ≥ 70 % |"
  echo "| JWKS / empty handler | $(ratio jwks 'ref: empty handler') | ≥ 70 % |"
  echo "| client_credentials / parse + sign ES256 | $(ratio client_credentials 'ref: parse form + sign ES256') | ≥ 65 % |"
  echo "| introspection / verify ES256 | $(ratio introspection 'ref: verify ES256') | ≥ 50 % |"
  echo "| userinfo / verify ES256 | $(ratio userinfo 'ref: verify ES256') | ≥ 50 % |"
  echo "| refresh / parse + insert | $(ratio 'refresh (rotation)' 'ref: parse form + insert') | ≥ 60 % |"
  echo
  echo "Memory: idle RSS $((idle_rss / 1024)) MiB, peak RSS under load $((peak_rss / 1024)) MiB. Start to ready on an existing database: ${ready_ms} ms (includes process start and the readiness probe's polling)."
} > "$report"
cat "$report"
