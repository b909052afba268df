#!/usr/bin/env bash
# Load test of the schedule endpoint against synthetic events of 100, 1000 and 10000 talks.
#
# The service caches rendered bodies per ETag in each worker (PLENARY_RENDER_CACHE_MB, default 64;
# 0 disables it), so a repeated full-schedule GET is normally a cache hit. For each size this
# script therefore starts two servers on a fresh SQLite file holding the event bench-N
# (bench/generate.py), one after the other, each one `plenary serve` worker:
#
#   1. cache off (PLENARY_RENDER_CACHE_MB=0): every request renders. Measured:
#      - GET /health: the ceiling (the framework alone: no database, a tiny body),
#      - the full schedule, one request at a time (curl, median of BENCH_SINGLE_RUNS): the cold
#        render cost without queueing,
#      - wrk on the full schedule (200): the "render every request" worst case. Each request carries
#        its own throwaway query parameter (bench/unique.lua), hence its own ETag: the service
#        shares one render among concurrent requests for the same ETag even with the cache off,
#        which would otherwise make two connections cost one render.
#   2. cache on (the service's default size, PLENARY_RENDER_CACHE_MB unset): measured
#      - GET /health again: the ceiling for this server, and a check on the machine's drift,
#      - the first full-schedule request (a miss: render and store), then BENCH_SINGLE_RUNS more
#        (hits, median),
#      - BENCH_HERD requests at once for a body not rendered yet (another throwaway parameter):
#        the time until the slowest is answered, about one render if they share it,
#      - wrk on the schedule with If-None-Match: <its ETag> (304),
#      - wrk on the full schedule (200), warm: cache hits.
#
# Before starting each server, the script waits (at most BENCH_QUIET_WAIT seconds) until the
# machine has been nearly idle (under 0.15 of a core busy) for 5 s, so that a test run going on in
# parallel is less likely to overlap the measurement; if it gives up, it says so and goes on.
#
# Every wrk figure is also given as a ratio to the /health ceiling of the same server, since the
# machine is small and shared, and with the CPU that other processes (not the server, not wrk)
# used meanwhile, from /proc/stat: a CI job running in parallel shows up there. Results go to
# bench/out/results.md; raw wrk output (wrk-N-*.txt), CPU accounting (wrk-N-*.cpu), the schedule
# bodies and the server logs stay in bench/out/ too.
#
# With the cache off, the full schedule of a big event takes long to render on one worker, so
# with 32 connections a short run would finish few requests. That run therefore uses
# BENCH_FULL_CONNECTIONS connections (default 2: enough to keep the single worker busy) and lasts
# at least long enough for about BENCH_FULL_MIN_REQUESTS requests at the speed of one request
# measured just before. It goes last on its server: when wrk stops, the server still renders the
# requests in flight, which would eat into whatever ran next.
#
#   bench/run.sh                                      # the default run: the working tree
#   BENCH_REVISION=HEAD bench/run.sh                  # the committed service, not the working tree
#   BENCH_SIZES="100" BENCH_DURATION=3 bench/run.sh   # a quick one
#
# By default the editable install runs service/ as it is on disk, uncommitted changes included
# (which the results then say). With BENCH_REVISION, `git archive` extracts service/ and fixtures/
# of that revision into bench/out/src/, which goes first on PYTHONPATH for the generator and the
# servers: the measurement then stays on one commit even while someone edits the working tree.
#
# Environment (defaults): BENCH_SIZES ("100 1000 10000"), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_FULL_CONNECTIONS (2), BENCH_FULL_MIN_REQUESTS (20),
# BENCH_SINGLE_RUNS (5), BENCH_HERD (8), BENCH_QUIET_WAIT (300, seconds; 0: do not wait),
# BENCH_MAX_DURATION (120, seconds), BENCH_TIMEOUT (wrk --timeout, 60s),
# BENCH_PORT (18765), BENCH_REVISION (unset: the working tree), BENCH_CACHE_MB (unset: the service's default; else the cache-on server's
# PLENARY_RENDER_CACHE_MB), PYTHON (python), which must be the virtualenv's, with plenary installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out"
sizes="${BENCH_SIZES:-100 1000 10000}"
duration="${BENCH_DURATION:-10s}"
threads="${BENCH_THREADS:-2}"
connections="${BENCH_CONNECTIONS:-32}"
full_connections="${BENCH_FULL_CONNECTIONS:-2}"
full_min_requests="${BENCH_FULL_MIN_REQUESTS:-20}"
single_runs="${BENCH_SINGLE_RUNS:-5}"
herd="${BENCH_HERD:-8}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
max_duration="${BENCH_MAX_DURATION:-120}"
timeout="${BENCH_TIMEOUT:-60s}"
port="${BENCH_PORT:-18765}"
cache_mb="${BENCH_CACHE_MB:-}"
revision_wanted="${BENCH_REVISION:-}"
python="${PYTHON:-python}"
base="http://127.0.0.1:$port"
duration="${duration%s}"
[[ "$duration" =~ ^[0-9]+$ ]] || { echo "BENCH_DURATION must be whole seconds, e.g. 10 or 10s" >&2; exit 1; }
[[ "$single_runs" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_SINGLE_RUNS must be a positive integer" >&2; exit 1; }
[[ "$herd" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_HERD must be a positive integer" >&2; exit 1; }
[[ "$quiet_wait" =~ ^[0-9]+$ ]] || { echo "BENCH_QUIET_WAIT must be whole seconds" >&2; exit 1; }
[[ -z "$cache_mb" || "$cache_mb" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_CACHE_MB must be a positive integer" >&2; exit 1; }

command -v plenary >/dev/null || { echo "plenary is not on PATH (activate the virtualenv)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  apt-get update -qq
  apt-get install -y -qq wrk >/dev/null
fi

server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

if curl -s -o /dev/null "$base/health"; then
  echo "something already listens on port $port; set BENCH_PORT" >&2
  exit 1
fi

mkdir -p "$out"
if [[ -n "$revision_wanted" ]]; then
  commit="$(git -C "$here/.." rev-parse --verify --quiet "$revision_wanted^{commit}")" ||
    { echo "BENCH_REVISION: no commit $revision_wanted" >&2; exit 1; }
  rm -rf "$out/src"
  mkdir -p "$out/src"
  git -C "$here/.." archive "$commit" service fixtures | tar -x -C "$out/src"
  export PYTHONPATH="$out/src${PYTHONPATH:+:$PYTHONPATH}"
  # From bench/out, since `python -c` puts the current directory (maybe the repository) first.
  imported="$(cd "$out" && "$python" -c 'import service; print(service.__file__)')"
  [[ "$imported" == "$out/src/"* ]] || { echo "service is imported from $imported, not $out/src" >&2; exit 1; }
fi

# The code measured: the editable install runs service/ as it is on disk, changes included.
revision_of() {
  local revision
  if [[ -n "$revision_wanted" ]]; then
    echo "$(git -C "$here/.." rev-parse --short "$commit") (git archive into bench/out/src, not the working tree)"
    return
  fi
  revision="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
  if [[ -n "$(git -C "$here" status --porcelain -- "$here/../service" 2>/dev/null)" ]]; then
    revision="$revision with uncommitted changes in service/"
  fi
  echo "$revision"
}

results="$out/results.md"
singles="$out/single.md"
started_revision="$(revision_of)"
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $started_revision,"
  echo "     $(nproc) cores; wrk -t$threads -d${duration}s --timeout $timeout --latency, -c$connections"
  echo "     (full schedule, cache off: -c$full_connections, at least $full_min_requests requests, at most ${max_duration}s)"
  echo "     cache-on server: PLENARY_RENDER_CACHE_MB=${cache_mb:-unset, the service default} -->"
  "$python" "$here/wrk_report.py" header
} >"$results"
{
  echo "| N | body | cache off: one request alone (median of $single_runs, min to max) | cache on: first request (miss) | cache on: next requests (hits, median of $single_runs) | cache on: $herd requests at once for a new body (slowest) |"
  echo "|---:|---:|---:|---:|---:|---:|"
} >"$singles"

clock_ticks="$(getconf CLK_TCK)"
# Busy and stolen jiffies of the whole machine (all cores), from the first line of /proc/stat.
machine_cpu() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8, $9; exit }' /proc/stat; }
# utime + stime of one process, all its threads (fields 14 and 15 of /proc/PID/stat).
process_cpu() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# wait_quiet: until the whole machine used under 0.15 of a core for 5 s, at most $quiet_wait s.
wait_quiet() {
  local waited=0 before after busy
  while ((waited < quiet_wait)); do
    before="$(machine_cpu)"
    sleep 5
    after="$(machine_cpu)"
    waited=$((waited + 5))
    busy=$(awk -v b="${before%% *}" -v a="${after%% *}" -v hz="$clock_ticks" 'BEGIN { printf "%.2f", (a - b) / hz / 5 }')
    if awk -v c="$busy" 'BEGIN { exit !(c < 0.15) }'; then
      ((waited > 5)) && echo "  the machine was busy; waited ${waited}s for it to calm down" >&2
      return 0
    fi
  done
  ((quiet_wait == 0)) || echo "  the machine is still busy ($busy cores) after ${quiet_wait}s; measuring anyway" >&2
}

# start_server LOG [VAR=VALUE...]: one worker on the bench database, with these extra settings.
start_server() {
  local log="$1"
  shift
  env -u PLENARY_RENDER_CACHE_MB PLENARY_DATABASE_URL="$url" PLENARY_LOAD_DEMO=false \
    PLENARY_LOG_LEVEL=warning "$@" plenary serve --port "$port" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if curl -fs -o /dev/null "$base/ready"; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the server died; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "the server was not ready after 30 s" >&2
  return 1
}

# measure NAME CONNECTIONS SECONDS URL [wrk options...]; wrk's output goes to $out/wrk-N-NAME.txt,
# the CPU used meanwhile (by the server, by wrk, by everything else) to $out/wrk-N-NAME.cpu.
measure() {
  local name="$1" conns="$2" seconds="$3" url="$4"
  shift 4
  echo "  wrk $name: -c$conns -d${seconds}s $*" >&2
  local file="$out/wrk-$n-$name" machine_before server_before t0 t1 machine_after server_after wrk_cpu
  local TIMEFORMAT='%3U %3S'
  machine_before="$(machine_cpu)"
  server_before="$(process_cpu "$server_pid")"
  t0="$(date +%s.%N)"
  { time wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout "$timeout" --latency "$@" "$url" \
    >"$file.txt" 2>"$file.err"; } 2>"$file.time"
  t1="$(date +%s.%N)"
  machine_after="$(machine_cpu)"
  server_after="$(process_cpu "$server_pid")"
  wrk_cpu="$(awk '{ print $1 + $2 }' "$file.time")"
  awk -v hz="$clock_ticks" -v t0="$t0" -v t1="$t1" -v mb="$machine_before" -v ma="$machine_after" \
    -v sb="$server_before" -v sa="$server_after" -v w="$wrk_cpu" 'BEGIN {
      split(mb, b, " "); split(ma, a, " ")
      elapsed = t1 - t0; busy = (a[1] - b[1]) / hz; steal = (a[2] - b[2]) / hz; server = (sa - sb) / hz
      other = busy - server - w; if (other < 0) other = 0
      printf "elapsed %.3f\nbusy %.3f\nserver %.3f\nwrk %.3f\nother %.3f\nsteal %.3f\n", elapsed, busy, server, w, other, steal
    }' >"$file.cpu"
  rm -f "$file.time"
  echo "    $(grep -h '^Requests/sec' "$file.txt"), CPU: $(tr '\n' ' ' <"$file.cpu")" >&2
}

# timings COUNT URL: COUNT single requests one after another, their time_total in seconds, sorted.
timings() {
  for _ in $(seq 1 "$1"); do curl -s -o /dev/null -w '%{time_total}\n' "$2"; done | sort -n
}
median() { awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.0f ms", t * 1000 }'; }

for n in $sizes; do
  echo "== N=$n" >&2
  db="$out/bench-$n.db"
  url="sqlite+aiosqlite:///$db"
  rm -f "$db" "$db-wal" "$db-shm"
  "$python" "$here/generate.py" --database-url "$url" --talks "$n"
  schedule="$base/events/bench-$n/schedule"
  headers="$out/schedule-$n.headers"
  body="$out/schedule-$n.json"

  # 1. Cache off: every full-schedule request renders.
  wait_quiet
  echo "  server with PLENARY_RENDER_CACHE_MB=0" >&2
  start_server "$out/server-$n-nocache.log" PLENARY_RENDER_CACHE_MB=0
  status=$(curl -s -D "$headers" -o "$body" -w '%{http_code}' "$schedule")
  if [[ "$status" != 200 ]]; then
    echo "GET $schedule answered $status:" >&2
    cat "$headers" "$body" >&2
    exit 1
  fi
  body_bytes=$(wc -c <"$body")
  etag=$(grep -i '^etag:' "$headers" | head -n1 | cut -d' ' -f2- | tr -d '\r')
  [[ -n "$etag" ]] || { echo "no ETag on $schedule" >&2; exit 1; }
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$schedule")
  [[ "$status" == 304 ]] || { echo "If-None-Match: $etag got $status, not 304" >&2; exit 1; }
  # The throwaway parameter of bench/unique.lua must change the ETag and nothing else.
  status=$(curl -s -D "$headers.nonce" -o "$body.nonce" -w '%{http_code}' "$schedule?bench-nonce=check")
  [[ "$status" == 200 ]] && cmp -s "$body" "$body.nonce" ||
    { echo "$schedule?bench-nonce=check answered $status or another body" >&2; exit 1; }
  if grep -qiF "etag: $etag" "$headers.nonce"; then
    echo "the throwaway parameter does not change the ETag" >&2
    exit 1
  fi
  rm -f "$headers.nonce" "$body.nonce"

  # One request at a time: the render cost without queueing, and the size of the wrk run below.
  cold_all=$(timings "$single_runs" "$schedule")
  cold=$(median <<<"$cold_all")
  cold_min=$(head -n1 <<<"$cold_all")
  cold_max=$(tail -n1 <<<"$cold_all")
  full_duration=$(awk -v d="$duration" -v t="$cold" -v k="$full_min_requests" -v m="$max_duration" \
    'BEGIN { s = int(t * k + 0.999); if (s < d) s = d; if (s > m) s = m; print s }')
  echo "  schedule: $body_bytes bytes, ETag $etag, ${cold}s alone without the cache" >&2

  measure health-nocache "$connections" "$duration" "$base/health"
  measure schedule-200-nocache "$full_connections" "$full_duration" "$schedule" -s "$here/unique.lua"
  stop_server

  # 2. Cache on: the first request renders and stores the body, the next ones are hits.
  wait_quiet
  echo "  server with PLENARY_RENDER_CACHE_MB=${cache_mb:-<default>}" >&2
  if [[ -n "$cache_mb" ]]; then
    start_server "$out/server-$n-cache.log" PLENARY_RENDER_CACHE_MB="$cache_mb"
  else
    start_server "$out/server-$n-cache.log"
  fi
  # A 304 first, so that the miss below pays for the render, not for the first connection or query.
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$schedule")
  [[ "$status" == 304 ]] || { echo "If-None-Match: $etag got $status, not 304" >&2; exit 1; }
  first=$(curl -s -o "$body.cached" -w '%{time_total}' "$schedule")
  cmp -s "$body" "$body.cached" || { echo "the cache-on server sent another body for $schedule" >&2; exit 1; }
  rm -f "$body.cached"
  warm=$(timings "$single_runs" "$schedule" | median)
  # BENCH_HERD clients at once for a body nobody asked for yet: shared render or one each?
  herd_out="$out/herd-$n.txt"
  herd_pids=()
  for _ in $(seq 1 "$herd"); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$schedule?bench-herd=1" &
    herd_pids+=("$!")
  done >"$herd_out"
  wait "${herd_pids[@]}"
  [[ "$(grep -c '^200 ' "$herd_out")" == "$herd" ]] || { echo "not all herd requests got 200:" >&2; cat "$herd_out" >&2; exit 1; }
  herd_slowest=$(awk '{ print $2 }' "$herd_out" | sort -n | tail -n1)
  echo "  cache on: first request ${first}s, then ${warm}s; $herd at once: ${herd_slowest}s for the slowest" >&2
  size=$("$python" "$here/wrk_report.py" bytes "$body_bytes")
  printf '| %s | %s | %s (%s to %s) | %s | %s | %s |\n' "$n" "$size" "$(ms "$cold")" "$(ms "$cold_min")" \
    "$(ms "$cold_max")" "$(ms "$first")" "$(ms "$warm")" "$(ms "$herd_slowest")" >>"$singles"

  measure health-cache "$connections" "$duration" "$base/health"
  measure schedule-304 "$connections" "$duration" "$schedule" -H "If-None-Match: $etag"
  measure schedule-200-cache "$connections" "$duration" "$schedule"
  stop_server

  row() { # row NAME ENDPOINT CEILING-NAME [BODY-BYTES]
    local options=(--talks "$n" --endpoint "$2" --ceiling "$out/wrk-$n-$3.txt" --cpu "$out/wrk-$n-$1.cpu")
    if [[ $# -ge 4 ]]; then options+=(--body-bytes "$4"); fi
    "$python" "$here/wrk_report.py" row "$out/wrk-$n-$1.txt" "${options[@]}"
  }
  {
    row health-nocache "GET /health (ceiling), cache-off server" health-nocache
    row schedule-200-nocache "schedule, full (200), cache off: renders every time" health-nocache "$body_bytes"
    row health-cache "GET /health (ceiling), cache-on server" health-cache
    row schedule-200-cache "schedule, full (200), cache on: hits" health-cache "$body_bytes"
    row schedule-304 "schedule, If-None-Match (304)" health-cache 0
  } >>"$results"
done

ended_revision="$(revision_of)"
{
  echo
  cat "$singles"
  if [[ "$ended_revision" != "$started_revision" ]]; then
    echo
    echo "Note: the tree changed during the run: $started_revision at the start, $ended_revision at the end."
  fi
} >>"$results"
rm -f "$singles"
cat "$results"
