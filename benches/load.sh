#!/usr/bin/env bash
# Load benchmark: a release oneid on SQLite, then on PostgreSQL, against reference
# handlers built in the same run (benches/reference.rs), measured with wrk and a sign-in
# driver (benches/signin.rs) on this machine. Seeds a million accounts by direct inserts and
# compares sign-in latency at a thousand and at a million. Writes Markdown tables to
# benches/results/latest.md. Budgets: shared/design.md; sizing guide: README.
#
#   benches/load.sh                      # 5 rounds of 5 s per scenario, 32 connections, both databases
#   DURATION=10s ROUNDS=3 BACKENDS=postgres benches/load.sh
#   USERS=100000 benches/load.sh         # fewer seeded accounts
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
# Each comparison alternates oneid and its reference ROUNDS times and reports the median
# round: this host's speed drifts by up to a quarter within a minute, and a ratio by up
# to ten points from one round to the next (five rounds make the median steadier).
ROUNDS=${ROUNDS:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
USERS=${USERS:-1000000}
BACKENDS=${BACKENDS:-sqlite postgres}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
export THREADS

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }

# The release profile for the bench targets too (`cargo bench` would build everything
# again under its own profile).
cargo build --release --quiet --bin oneid --bench reference --bench signin
newest() { ls -t target/release/deps/"$1"-* | grep -v '\.d$' | head -n1; }
reference_bin=$(newest reference)
signin=$(newest signin)

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS oneid_bench" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ref=127.0.0.1:9100
oneid=127.0.0.1:9200
secret=bench-client-secret-0123456789abcdefghijklmnop
redirect=https://bench.example.com/callback
password="bench password 1234"
seconds=${DURATION%s}
basic="Basic $(printf 'bench:%s' "$secret" | base64 -w0)"

wait_for() { for _ in $(seq 1 1000); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.01; done; echo "no answer from $1" >&2; exit 1; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# CPU seconds (user + system) the process has used so far.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

"$reference_bin" "$ref" "$work" 2>/dev/null & ref_pid=$!; pids+=($ref_pid)
wait_for "http://$ref/empty"

report=benches/results/latest.md
{
  echo "# Load benchmark"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM;"
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION and the load generators on the same machine; oneid release build."
  echo "CPU is the server's CPU time during the run divided by its length (2.00 = both cores busy)."
  echo "PostgreSQL runs on the same machine, reached over loopback with sslmode=${PG_SSLMODE:-disable}."
} > "$report"

# bench BACKEND: start oneid on BACKEND, measure everything, append to the report.
bench() {
  local backend=$1 db_url
  case $backend in
    sqlite) db_url="sqlite://$work/oneid.db" ;;
    postgres)
      psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS oneid_bench" -c "CREATE DATABASE oneid_bench"
      # The database is on this machine, over loopback: no TLS, as for a local socket
      # (with TLS each new connection costs a handshake, and each query its encryption).
      db_url="$PG/oneid_bench?sslmode=${PG_SSLMODE:-disable}" ;;
  esac
  cat > "$work/oneid.toml" <<TOML
issuer = "http://$oneid"
bind = "$oneid"
[database]
url = "$db_url"
[keys]
master_key_file = "$work/master.key"
[log]
level = "warn"
[mail]
outbox_dir = "$work/outbox"
[lockout]
# One address (the load generator) signs in thousands of times.
per_ip_per_minute = 100000000
[[clients]]
id = "bench"
secret = "$secret"
redirect_uris = ["$redirect"]
grant_types = ["authorization_code", "refresh_token", "client_credentials"]
scopes = ["openid", "email", "offline_access", "api"]
skip_consent = true
TOML
  local oneid_cmd=(target/release/oneid --config "$work/oneid.toml")
  "${oneid_cmd[@]}" migrate >/dev/null
  echo "$password" | "${oneid_cmd[@]}" users add --email seed@bench.example.com --password-stdin >/dev/null
  if [ "$backend" = sqlite ]; then python3 benches/seed.py sqlite "$work/oneid.db" seed@bench.example.com 1000 >/dev/null
  else python3 benches/seed.py postgres "$db_url" seed@bench.example.com 1000 >/dev/null; fi

  # Start to ready on an existing database.
  local start_ns; start_ns=$(date +%s%N)
  "${oneid_cmd[@]}" serve 2>>"$work/oneid.log" & server=$!; pids+=($server)
  wait_for "http://$oneid/readyz"
  local ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
  sleep 1
  local idle_rss idle_anon; idle_rss=$(rss_kib "$server"); idle_anon=$(awk '/RssAnon/ {print $2}' "/proc/$server/status")

  mkdir -p "$work/round"
  "$signin" tokens "http://$oneid" bench "$secret" "$redirect" "$password" user0000001@bench.example.com 1 "$work"
  local access; access=$(cat "$work/access_token")

  peak_rss=$idle_rss
  results=()
  # run NAME URL SCRIPT [ENV...]: one wrk run; records req/s, p50, p99, non-2xx and CPU.
  run() {
    local name=$1 url=$2 script=$3; shift 3
    local sampler cpu0 cpu1 out pid=$server
    [[ $name == ref:* ]] && pid=$ref_pid
    ( while kill -0 "$server" 2>/dev/null; do rss_kib "$server"; sleep 0.2; done ) > "$work/rss" & sampler=$!
    cpu0=$(cpu_s "$pid")
    out=$(env "$@" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "benches/wrk/$script" "$url")
    cpu1=$(cpu_s "$pid")
    kill "$sampler" 2>/dev/null || true
    local rps p50 p99 errors peak cpu
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx/ {print $5}' <<<"$out"); errors=${errors:-0}
    peak=$(sort -n "$work/rss" | tail -n1); peak=${peak:-0}
    [ "$peak" -gt "$peak_rss" ] && peak_rss=$peak
    cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$seconds" 'BEGIN { printf "%.2f", (b - a) / s }')
    results+=("$name|$rps|$p50|$p99|$errors|$cpu")
    printf '%-10s %-28s %10s req/s  p50 %-9s p99 %-9s non-2xx %-6s cpu %s\n' "$backend" "$name" "$rps" "$p50" "$p99" "$errors" "$cpu"
  }
  # logins BROWSERS: whole password sign-ins for DURATION (benches/signin.rs).
  logins() {
    local cpu0 cpu1 sampler out
    ( while kill -0 "$server" 2>/dev/null; do rss_kib "$server"; sleep 0.2; done ) > "$work/rss" & sampler=$!
    cpu0=$(cpu_s "$server")
    # Niced: the driver shares the machine with the server it measures.
    out=$(nice -n 10 "$signin" load "http://$oneid" bench "$secret" "$redirect" "$password" 1000 "$1" "$seconds")
    cpu1=$(cpu_s "$server")
    kill "$sampler" 2>/dev/null || true
    local peak; peak=$(sort -n "$work/rss" | tail -n1); [ "${peak:-0}" -gt "$peak_rss" ] && peak_rss=$peak
    read -r flows p50 p99 errors <<<"$out"
    local cpu; cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$seconds" 'BEGIN { printf "%.2f", (b - a) / s }')
    results+=("password sign-in, whole flow ($1 browsers)|$flows|${p50}ms|${p99}ms|$errors|$cpu")
    printf '%-10s %-28s %10s /s     p50 %-9s p99 %-9s errors  %-6s cpu %s\n' "$backend" "sign-ins ($1 browsers)" "$flows" "${p50}ms" "${p99}ms" "$errors" "$cpu"
  }

  # Each oneid figure alternates with the reference it is compared with, round by
  # round: the machine's speed drifts over a minute (other tenants of the host).
  local discovery_bytes jwks_bytes round
  discovery_bytes=$(curl -s "http://$oneid/.well-known/openid-configuration" | wc -c)
  jwks_bytes=$(curl -s "http://$oneid/jwks" | wc -c)
  for round in $(seq "$ROUNDS"); do
    run "ref: empty handler" "http://$ref/empty" get.lua
    run "ref: discovery's bytes" "http://$ref/bytes?n=$discovery_bytes" get.lua
    run "discovery" "http://$oneid/.well-known/openid-configuration" get.lua
  done
  for round in $(seq "$ROUNDS"); do
    run "ref: JWKS's bytes" "http://$ref/bytes?n=$jwks_bytes" get.lua
    run "jwks" "http://$oneid/jwks" get.lua
  done
  for round in $(seq "$ROUNDS"); do
    run "ref: parse form + sign ES256" "http://$ref/sign" post.lua BODY="grant_type=client_credentials&scope=api"
    run "client_credentials" "http://$oneid/token" post.lua BODY="grant_type=client_credentials&scope=api" AUTH="$basic"
  done
  for round in $(seq "$ROUNDS"); do
    run "ref: verify ES256" "http://$ref/verify" post.lua BODY="token=x"
    run "introspection" "http://$oneid/introspect" post.lua BODY="token=$access" AUTH="$basic"
    run "userinfo" "http://$oneid/userinfo" get.lua AUTH="Bearer $access"
  done
  for round in $(seq "$ROUNDS"); do
    # Fresh refresh tokens each round: the last round's were rotated.
    "$signin" tokens "http://$oneid" bench "$secret" "$redirect" "$password" user0000001@bench.example.com 256 "$work/round"
    run "ref: parse form + insert" "http://$ref/insert" post.lua BODY="grant_type=refresh_token&refresh_token=x"
    run "refresh (rotation)" "http://$oneid/token" refresh.lua TOKENS="$work/round/refresh_tokens" AUTH="$basic"
  done
  for round in $(seq "$ROUNDS"); do
    run "ref: argon2id verify, all cores" "http://$ref/argon2" post.lua BODY="password=x"
    logins 8
  done

  # Sign-in latency with a thousand accounts, then with USERS; each after ten sign-ins
  # that are not counted, so that both start from the same state: the first sign-ins
  # after the bulk import are a millisecond or two slower whatever the account count
  # (each database connection reloading its cache).
  local few many seeded
  "$signin" latency "http://$oneid" bench "$secret" "$redirect" "$password" 1000 10 >/dev/null
  few=$("$signin" latency "http://$oneid" bench "$secret" "$redirect" "$password" 1000 40)
  local seed_ns; seed_ns=$(date +%s%N)
  if [ "$backend" = sqlite ]; then seeded=$(python3 benches/seed.py sqlite "$work/oneid.db" seed@bench.example.com "$USERS")
  else seeded=$(python3 benches/seed.py postgres "$db_url" seed@bench.example.com "$USERS"); fi
  local seed_s; seed_s=$(awk -v ns="$(( $(date +%s%N) - seed_ns ))" 'BEGIN { printf "%.1f", ns / 1e9 }')
  "$signin" latency "http://$oneid" bench "$secret" "$redirect" "$password" "$USERS" 10 >/dev/null
  many=$("$signin" latency "http://$oneid" bench "$secret" "$redirect" "$password" "$USERS" 40)

  # Rows written per sign-in and per refresh (PostgreSQL's statistics).
  local writes=""
  if [ "$backend" = postgres ]; then
    counters() { psql -qAt "$db_url" -c "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0), (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()) FROM pg_stat_user_tables"; }
    # Each PostgreSQL backend reports its statistics once a second at most, and an idle
    # one within 10 s: wait that long before each reading.
    settle() { sleep 11; counters; }
    local n=100 c0 c1 c2 c3 token
    c0=$(settle)
    "$signin" latency "http://$oneid" bench "$secret" "$redirect" "$password" 1000 "$n" >/dev/null
    c1=$(settle)
    "$signin" tokens "http://$oneid" bench "$secret" "$redirect" "$password" user0000002@bench.example.com 1 "$work"
    token=$(head -n1 "$work/refresh_tokens")
    c2=$(settle)
    for _ in $(seq 1 "$n"); do
      token=$(curl -sf -H "Authorization: $basic" -d grant_type=refresh_token --data-urlencode "refresh_token=$token" "http://$oneid/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["refresh_token"])')
    done
    c3=$(settle)
    writes=$(awk -F'|' -v a="$c0" -v b="$c1" -v c="$c2" -v d="$c3" -v n="$n" 'BEGIN {
      split(a, x, "|"); split(b, y, "|"); split(c, z, "|"); split(d, w, "|");
      printf "Database work (PostgreSQL statistics, %d of each, background work of the same minutes included): a whole sign-in in a new browser writes %.1f rows in %.1f transactions; a refresh writes %.1f rows in %.1f transactions (transactions include reads, each a statement of its own).", n, (y[1]-x[1])/n, (y[2]-x[2])/n, (w[1]-z[1])/n, (w[2]-z[2])/n }')
  fi

  # The figures of NAME's rounds, in order; its median round's row; the median of the
  # per-round ratios of NAME to REF, with the rounds' ratios.
  rates() { for r in "${results[@]}"; do [ "${r%%|*}" = "$1" ] && cut -d'|' -f2 <<<"$r"; done; }
  median_row() { for r in "${results[@]}"; do [ "${r%%|*}" = "$1" ] && echo "$r"; done | sort -t'|' -k2 -g | awk '{ row[NR] = $0 } END { print row[int((NR + 1) / 2)] }'; }
  ratio() {
    local each; each=$(paste -d' ' <(rates "$1") <(rates "$2") | awk '$2 > 0 { printf "%.0f\n", 100 * $1 / $2 }')
    echo "$(sort -g <<<"$each" | awk '{ r[NR] = $0 } END { print r[int((NR + 1) / 2)] }') % | $(paste -sd' ' <<<"$each")"
  }
  budget() { echo "| $1 | $(ratio "$2" "$3") | $4 |"; }
  {
    echo
    echo "## $backend"
    echo
    echo "Each row is the median of $ROUNDS rounds."
    echo
    echo "| scenario | requests/s | p50 | p99 | non-2xx | CPU |"
    echo "|---|---:|---:|---:|---:|---:|"
    local name seen=" "
    for r in "${results[@]}"; do
      name=${r%%|*}
      [[ $seen == *" $name |"* ]] && continue
      seen+="$name | "
      IFS='|' read -r n rps p50 p99 e c <<<"$(median_row "$name")"; echo "| $n | $rps | $p50 | $p99 | $e | $c |"
    done
    echo
    echo "| budget (design.md) | median | rounds (%) | target |"
    echo "|---|---:|---:|---:|"
    budget "discovery / the same bytes, precomputed" discovery "ref: discovery's bytes" "≥ 70 %"
    budget "JWKS / the same bytes, precomputed" jwks "ref: JWKS's bytes" "≥ 70 %"
    budget "discovery / empty handler" discovery "ref: empty handler" "(for comparison)"
    budget "client_credentials / parse + sign ES256" client_credentials "ref: parse form + sign ES256" "≥ 65 %"
    budget "introspection / verify ES256" introspection "ref: verify ES256" "≥ 50 %"
    budget "userinfo / verify ES256" userinfo "ref: verify ES256" "≥ 50 %"
    budget "refresh / parse + SQLite insert" "refresh (rotation)" "ref: parse form + insert" "≥ 60 %"
    budget "password sign-in / argon2id verifications" "password sign-in, whole flow (8 browsers)" "ref: argon2id verify, all cores" "≥ 90 %"
    echo
    read -r _ f50 f99 ferr <<<"$few"; read -r _ m50 m99 merr <<<"$many"
    echo "Sign-in latency, one at a time, a random account in a new browser: with 1,000 accounts p50 ${f50} ms, p99 ${f99} ms; with ${seeded##*$'\n'} accounts p50 ${m50} ms, p99 ${m99} ms (errors: $ferr, $merr). Seeding $USERS accounts by direct inserts took ${seed_s} s."
    echo
    echo "Memory: idle RSS $((idle_rss / 1024)) MiB, of which $((idle_anon / 1024)) MiB anonymous (the rest is the executable's pages, shared and reclaimable), peak RSS under load $((peak_rss / 1024)) MiB. Start to ready on an existing database: ${ready_ms} ms (process start plus the readiness probe's polling)."
    [ -n "$writes" ] && { echo; echo "$writes"; }
  } >> "$report"
  kill "$server"; wait "$server" 2>/dev/null || true
}

for backend in $BACKENDS; do bench "$backend"; done
cat "$report"
