#!/usr/bin/env bash
# Load test of the calendar feed, GET /events/bench-N/calendar.ics, for N = 100, 1000, 10000 talks.
#
# Like bench/run.sh for the JSON schedule: for each N a fresh SQLite file (bench/generate.py) and two
# servers one after the other, each one `plenary serve` worker.
#
#   1. cache off (PLENARY_RENDER_CACHE_MB=0): every request renders. Measured:
#      - checks: 200 with text/calendar and an ETag, 304 for If-None-Match, and a throwaway query
#        parameter changes the ETag but not the body (bench/unique.lua relies on that),
#      - the feed, one request at a time (curl, median of BENCH_SINGLE_RUNS), and the server's CPU
#        time per request meanwhile: the cold render,
#      - GET /health polled while one cold feed renders: does the render (icalendar, in a worker
#        thread) keep the event loop answering?
#      - GET /health with wrk: the ceiling,
#      - wrk on the feed, every request with its own ETag (bench/unique.lua, since concurrent
#        requests for one ETag share a render even with the cache off): the worst case,
#        BENCH_FULL_CONNECTIONS connections, long enough for about BENCH_FULL_MIN_REQUESTS.
#   2. cache on (the service's default size):
#      - right after the start, BENCH_HERD requests at once for the feed, none rendered yet
#        (xargs -P): the wall time until the last is answered and the server CPU meanwhile. With
#        single-flight that is about one render, not BENCH_HERD of them,
#      - one more request (a hit; its body must equal the cache-off server's), then
#        BENCH_SINGLE_RUNS hits one at a time (median),
#      - wrk: GET /health (this server's ceiling), If-None-Match with the feed's ETag (304), the feed
#        (200, warm cache hits).
#
# Results go to bench/out/feeds/results.md; wrk outputs, CPU accounting, feed bodies and server
# logs stay in bench/out/feeds/.
#
#   bench/feeds.sh                                      # N = 100, 1000, 10000
#   BENCH_SIZES="100" BENCH_DURATION=3 bench/feeds.sh   # a quick one
#
# Environment (defaults): BENCH_SIZES ("100 1000 10000"), BENCH_DURATION (10s), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_FULL_CONNECTIONS (2), BENCH_FULL_MIN_REQUESTS (20),
# BENCH_SINGLE_RUNS (5), BENCH_HERD (32), BENCH_QUIET_WAIT (300 s), BENCH_MAX_DURATION (120 s),
# BENCH_TIMEOUT (60s), BENCH_PORT (18766), BENCH_REVISION (unset: the working tree; else a commit whose
# service/ is measured, as in bench/run.sh), PYTHON (python, the virtualenv's).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out/feeds"
sizes="${BENCH_SIZES:-100 1000 10000}"
duration="${BENCH_DURATION:-10s}"
threads="${BENCH_THREADS:-2}"
connections="${BENCH_CONNECTIONS:-32}"
full_connections="${BENCH_FULL_CONNECTIONS:-2}"
full_min_requests="${BENCH_FULL_MIN_REQUESTS:-20}"
single_runs="${BENCH_SINGLE_RUNS:-5}"
herd="${BENCH_HERD:-32}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
max_duration="${BENCH_MAX_DURATION:-120}"
timeout="${BENCH_TIMEOUT:-60s}"
port="${BENCH_PORT:-18766}"
python="${PYTHON:-python}"
duration="${duration%s}"
[[ "$duration" =~ ^[0-9]+$ ]] || { echo "BENCH_DURATION must be whole seconds, e.g. 10 or 10s" >&2; exit 1; }
[[ "$single_runs" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_SINGLE_RUNS must be a positive integer" >&2; exit 1; }
[[ "$herd" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_HERD must be a positive integer" >&2; exit 1; }
[[ "$quiet_wait" =~ ^[0-9]+$ ]] || { echo "BENCH_QUIET_WAIT must be whole seconds" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source "$here/lib.sh"
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM
require_tools
mkdir -p "$out"
pin_revision

results="$out/results.md"
singles="$out/single.md"
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $revision, $(nproc) cores;"
  echo "     wrk -t$threads -d${duration}s --timeout $timeout --latency, -c$connections"
  echo "     (feed, cache off: -c$full_connections, at least $full_min_requests requests, at most ${max_duration}s) -->"
  "$python" "$here/wrk_report.py" header
} >"$results"
{
  echo "| N | VEVENTs | body | cache off: one feed alone (median of $single_runs, min to max) | server CPU per cold feed | /health during a cold render (slowest poll) | cache on: $herd at once after start (last answered; server CPU) | cache on: hit alone (median of $single_runs) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$singles"

for n in $sizes; do
  echo "== N=$n" >&2
  db="$out/bench-$n.db"
  url="sqlite+aiosqlite:///$db"
  rm -f "$db" "$db-wal" "$db-shm"
  "$python" "$here/generate.py" --database-url "$url" --talks "$n"
  feed="$base/events/bench-$n/calendar.ics"
  headers="$out/calendar-$n.headers"
  body="$out/calendar-$n.ics"

  # 1. Cache off: every request renders.
  wait_quiet
  echo "  server with PLENARY_RENDER_CACHE_MB=0" >&2
  start_server "$out/server-$n-nocache.log" PLENARY_RENDER_CACHE_MB=0
  status=$(curl -s -D "$headers" -o "$body" -w '%{http_code}' "$feed")
  if [[ "$status" != 200 ]]; then
    echo "GET $feed answered $status:" >&2
    cat "$headers" "$body" >&2
    exit 1
  fi
  grep -qi '^content-type: text/calendar' "$headers" || { echo "$feed is not text/calendar" >&2; exit 1; }
  body_bytes=$(wc -c <"$body")
  vevents=$(grep -c '^BEGIN:VEVENT' "$body" || true)
  etag=$(grep -i '^etag:' "$headers" | head -n1 | cut -d' ' -f2- | tr -d '\r')
  [[ -n "$etag" ]] || { echo "no ETag on $feed" >&2; exit 1; }
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$feed")
  [[ "$status" == 304 ]] || { echo "If-None-Match: $etag got $status, not 304" >&2; exit 1; }
  status=$(curl -s -D "$headers.nonce" -o "$body.nonce" -w '%{http_code}' "$feed?bench-nonce=check")
  [[ "$status" == 200 ]] && cmp -s "$body" "$body.nonce" ||
    { echo "$feed?bench-nonce=check answered $status or another body" >&2; exit 1; }
  if grep -qiF "etag: $etag" "$headers.nonce"; then
    echo "the throwaway parameter does not change the ETag" >&2
    exit 1
  fi
  rm -f "$headers.nonce" "$body.nonce"

  # One request at a time, and the server's CPU for them all.
  cpu_before="$(process_cpu "$server_pid")"
  cold_all=$(timings "$single_runs" "$feed")
  cpu_cold=$(seconds_of "$cpu_before" "$(process_cpu "$server_pid")")
  cold=$(median <<<"$cold_all")
  cold_min=$(head -n1 <<<"$cold_all")
  cold_max=$(tail -n1 <<<"$cold_all")
  cpu_per_cold=$(awk -v c="$cpu_cold" -v k="$single_runs" 'BEGIN { print c / k }')
  echo "  feed: $body_bytes bytes, $vevents VEVENTs, ETag $etag, ${cold}s alone, ${cpu_per_cold}s server CPU" >&2

  # /health, polled every 20 ms while one cold feed renders.
  probe="$out/health-during-render-$n.txt"
  curl -s -o /dev/null "$feed?bench-probe=1" &
  render_pid=$!
  while kill -0 "$render_pid" 2>/dev/null; do
    curl -s -o /dev/null -w '%{time_total}\n' "$base/health"
    sleep 0.02
  done >"$probe"
  wait "$render_pid"
  polls=$(wc -l <"$probe")
  health_slowest=$(sort -n "$probe" | tail -n1)
  echo "  /health during a render: $polls polls, slowest ${health_slowest:-?}s" >&2

  full_duration=$(awk -v d="$duration" -v t="$cold" -v k="$full_min_requests" -v m="$max_duration" \
    'BEGIN { s = int(t * k + 0.999); if (s < d) s = d; if (s > m) s = m; print s }')
  measure health-nocache "$connections" "$duration" "$base/health"
  measure calendar-200-nocache "$full_connections" "$full_duration" "$feed" -s "$here/unique.lua"
  stop_server

  # 2. Cache on. First, BENCH_HERD requests at once for a feed nobody asked for yet.
  wait_quiet
  echo "  server with the default PLENARY_RENDER_CACHE_MB" >&2
  start_server "$out/server-$n-cache.log"
  herd_out="$out/herd-$n.txt"
  cpu_before="$(process_cpu "$server_pid")"
  t0="$(now)"
  seq 1 "$herd" | xargs -P "$herd" -I{} curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$feed" >"$herd_out"
  herd_wall=$(elapsed_since "$t0")
  herd_cpu=$(seconds_of "$cpu_before" "$(process_cpu "$server_pid")")
  [[ "$(grep -c '^200 ' "$herd_out")" == "$herd" ]] || { echo "not all herd requests got 200:" >&2; cat "$herd_out" >&2; exit 1; }
  echo "  $herd at once: all answered after ${herd_wall}s, server CPU ${herd_cpu}s" >&2
  status=$(curl -s -o "$body.cached" -w '%{http_code}' "$feed")
  [[ "$status" == 200 ]] && cmp -s "$body" "$body.cached" ||
    { echo "the cache-on server sent $status or another body for $feed" >&2; exit 1; }
  rm -f "$body.cached"
  warm=$(timings "$single_runs" "$feed" | median)

  measure health-cache "$connections" "$duration" "$base/health"
  measure calendar-304 "$connections" "$duration" "$feed" -H "If-None-Match: $etag"
  measure calendar-200-cache "$connections" "$duration" "$feed"
  stop_server

  size=$("$python" "$here/wrk_report.py" bytes "$body_bytes")
  printf '| %s | %s | %s | %s (%s to %s) | %s | %s (%s polls) | %s (%s) | %s |\n' "$n" "$vevents" "$size" \
    "$(ms "$cold")" "$(ms "$cold_min")" "$(ms "$cold_max")" "$(ms "$cpu_per_cold")" \
    "$(ms "${health_slowest:-0}")" "$polls" "$(ms "$herd_wall")" "$(ms "$herd_cpu")" "$(ms "$warm")" >>"$singles"

  row() { # row NAME ENDPOINT CEILING-NAME [BODY-BYTES]
    local options=(--talks "$n" --endpoint "$2" --ceiling "$out/wrk-$n-$3.txt" --cpu "$out/wrk-$n-$1.cpu")
    if [[ $# -ge 4 ]]; then options+=(--body-bytes "$4"); fi
    "$python" "$here/wrk_report.py" row "$out/wrk-$n-$1.txt" "${options[@]}"
  }
  {
    row health-nocache "GET /health (ceiling), cache-off server" health-nocache
    row calendar-200-nocache "calendar.ics (200), cache off: renders every time" health-nocache "$body_bytes"
    row health-cache "GET /health (ceiling), cache-on server" health-cache
    row calendar-200-cache "calendar.ics (200), cache on: hits" health-cache "$body_bytes"
    row calendar-304 "calendar.ics, If-None-Match (304)" health-cache 0
  } >>"$results"
done

{
  echo
  cat "$singles"
} >>"$results"
rm -f "$singles"
cat "$results"
