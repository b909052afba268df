#!/usr/bin/env bash
# Load test of takeaway writes, POST /events/<slug>/talks/<talk>/takeaways, on SQLite and PostgreSQL.
#
# Servers, one after the other, each `plenary serve` on the demo event with
# PLENARY_ATTENDEE_WRITES_PER_MINUTE=1000000 so the rate limit stays out. The demo is loaded with
# `plenary load-demo` before the server starts, and the server runs with PLENARY_LOAD_DEMO=false:
# with --workers 2 on an empty PostgreSQL database, both workers load the demo at startup at the
# same time, one of them fails on a duplicate key (pk_speaker) and uvicorn stops the whole server
# (seen 2 times in 3 starts).
# Servers:
#   - SQLite, a fresh file bench/out/takeaways/takeaways.db, 1 worker,
#   - PostgreSQL, the database bench_takeaways (created here, dropped at the end), with
#     each number of workers in BENCH_PG_WORKERS ("1 2"); the database is recreated per server.
# On each server:
#   1. warm-up: 32 new attendees write notes for 3 s (checked like the others, not reported),
#   2. GET /health, the ceiling: wrk -t32 -c32 (the same wrk set-up as the writes), and -t2 -c32
#      (bench/run.sh's set-up, to compare with its tables),
#   3. create: 32 new attendees, one per wrk connection (wrk -t32 -c32: one connection per thread,
#      so each connection has its own token), every request a new random client_id, so every
#      request should create a note (201),
#   4. retry storm: 10 new attendees, 3 or 4 connections each (connection i uses attendee i mod
#      10), and 10 fixed client_ids per attendee (100 notes in all) that every connection of the
#      attendee sends over and over in the same order: at first 3 or 4 connections race to create
#      each note, then everything is a retry. The service must answer 201 exactly 100 times, 200
#      to every other request, and store 100 rows. (Fewer attendees with more ids each race harder
#      but need more requests per connection before every id has been sent: 4 x 25 did not get
#      through all 100 ids in 10 s on SQLite.)
# After each write run the script waits until the row count stops moving (requests in flight
# when wrk stopped still commit), then bench/takeaways.py checks the rows of that run's attendees
# against what bench/takeaways.lua recorded: every acknowledged (201/200) client_id is stored,
# nothing wrk did not send is stored, and rows = acknowledged + in-flight requests that landed
# after wrk stopped. It also compares the table's total (sqlite3 / psql `select count(*)`) with
# the sum of the runs. A failed check is reported as MISMATCH in the table and makes the exit
# status 2.
#
# Around each wrk run, like bench/run.sh: the server's CPU (all its processes: with --workers 2,
# the uvicorn parent and its workers), PostgreSQL's (the postmaster and all its backends, those
# that exited during the run included), wrk's, and everything else's, from /proc; also the
# processes and threads created on the machine (/proc/stat "processes") and, on PostgreSQL, the
# connections opened to the bench database (pg_stat_database.sessions).
#
#   bench/takeaways.sh                                          # the working tree as it is on disk
#   BENCH_REVISION=HEAD bench/takeaways.sh                      # one commit, whatever the tree does
#   BENCH_DURATION=5 BENCH_PG_WORKERS=1 bench/takeaways.sh      # a quick one
#
# As in bench/run.sh, BENCH_REVISION extracts service/ and fixtures/ of that commit with
# `git archive` into bench/out/takeaways/src/, first on PYTHONPATH: every server then runs the
# same code even while someone edits or commits service/ meanwhile (without it, each server
# imports what is on disk when it starts, and the results name the revision at each start).
#
# Environment (defaults): BENCH_DURATION (10s), BENCH_CONNECTIONS (32), BENCH_RETRY_ATTENDEES (10),
# BENCH_RETRY_IDS (10 per attendee), BENCH_PG_WORKERS ("1 2"; "" skips PostgreSQL), BENCH_SQLITE
# (1; 0 skips SQLite), BENCH_PG_HOST (127.0.0.1), BENCH_PG_USER (postgres), BENCH_PG_DB
# (bench_takeaways), BENCH_QUIET_WAIT (300 s), BENCH_OTHERS_WAIT (900 s: how long to wait for
# bench/run.sh, feeds.sh or import.sh to finish first), BENCH_TIMEOUT (60s), BENCH_PORT (18767),
# BENCH_REVISION (unset: the working tree), PYTHON (python, the virtualenv's).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out/takeaways"
duration="${BENCH_DURATION:-10s}"
duration="${duration%s}"
connections="${BENCH_CONNECTIONS:-32}"
retry_attendees="${BENCH_RETRY_ATTENDEES:-10}"
retry_ids="${BENCH_RETRY_IDS:-10}"
pg_workers="${BENCH_PG_WORKERS-1 2}"
run_sqlite="${BENCH_SQLITE:-1}"
pg_host="${BENCH_PG_HOST:-127.0.0.1}"
pg_user="${BENCH_PG_USER:-postgres}"
pg_db="${BENCH_PG_DB:-bench_takeaways}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
others_wait="${BENCH_OTHERS_WAIT:-900}"
timeout="${BENCH_TIMEOUT:-60s}"
port="${BENCH_PORT:-18767}"
python="${PYTHON:-python}"
slug="cph-nlp-2025"
base="http://127.0.0.1:$port"
[[ "$duration" =~ ^[0-9]+$ ]] || { echo "BENCH_DURATION must be whole seconds" >&2; exit 1; }
[[ "$pg_db" != "test" ]] || { echo "BENCH_PG_DB must not be the test database" >&2; exit 1; }

command -v plenary >/dev/null || { echo "plenary is not on PATH (activate the virtualenv)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
if curl -s -o /dev/null "$base/health"; then
  echo "something already listens on port $port; set BENCH_PORT" >&2
  exit 1
fi

server_pid=""
pg_created=""
stop_server() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
drop_pg() {
  if [[ -n "$pg_created" ]]; then
    dropdb -h "$pg_host" -U "$pg_user" --if-exists "$pg_db"
    pg_created=""
  fi
}
cleanup() { stop_server; drop_pg; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

rm -rf "$out"
mkdir -p "$out"

revision_wanted="${BENCH_REVISION:-}"
if [[ -n "$revision_wanted" ]]; then
  commit="$(git -C "$here/.." rev-parse --verify --quiet "$revision_wanted^{commit}")" ||
    { echo "BENCH_REVISION: no commit $revision_wanted" >&2; exit 1; }
  mkdir -p "$out/src"
  git -C "$here/.." archive "$commit" service fixtures | tar -x -C "$out/src"
  export PYTHONPATH="$out/src${PYTHONPATH:+:$PYTHONPATH}"
  imported="$(cd "$out" && "$python" -c 'import service; print(service.__file__)')"
  [[ "$imported" == "$out/src/"* ]] || { echo "service is imported from $imported, not $out/src" >&2; exit 1; }
fi
# The code a server started now runs.
revision_of() {
  if [[ -n "$revision_wanted" ]]; then
    echo "$(git -C "$here/.." rev-parse --short "$commit") (git archive)"
    return
  fi
  local revision
  revision="$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
  if [[ -n "$(git -C "$here" status --porcelain -- "$here/../service" 2>/dev/null)" ]]; then
    revision="$revision with uncommitted changes in service/"
  fi
  echo "$revision"
}

# Other benchmarks and test runs share the machine: let them finish first (up to a limit).
wait_for_others() {
  local waited=0
  while pgrep -f "bench/(run|feeds|import)" >/dev/null && ((waited < others_wait)); do
    ((waited == 0)) && echo "waiting for another benchmark to finish" >&2
    sleep 20
    waited=$((waited + 20))
  done
  waited=0
  while pgrep -f pytest >/dev/null && ((waited < 300)); do
    ((waited == 0)) && echo "waiting for a test run to finish" >&2
    sleep 20
    waited=$((waited + 20))
  done
}

clock_ticks="$(getconf CLK_TCK)"
machine_cpu() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8, $9; exit }' /proc/stat; }
# The process and all its descendants: uvicorn's parent and, with --workers, its worker processes.
tree_pids() {
  local pid="$1" child
  echo "$pid"
  for child in $(pgrep -P "$pid"); do tree_pids "$child"; done
}
# tree_cpu PID: CPU used so far, in jiffies, by the process and all its descendants, those still
# running (utime + stime) and those already gone (cutime + cstime of their parent, once reaped).
# Processes that come and go between two readings are counted too: PostgreSQL forks a backend
# per connection, and the server's pool opens and closes connections under load.
tree_cpu() {
  local pid files=()
  # Children before their parent: one that exits and is reaped while awk reads is then found in
  # its parent's cutime + cstime instead of being missed (with the parent read first, it was
  # missed now and then, and the difference came out negative).
  for pid in $(tree_pids "$1" | tac); do files+=("/proc/$pid/stat"); done
  # A process may exit between the listing and the reading: awk then skips its file.
  awk '{ sub(/^.*\) /, ""); s += $12 + $13 + $14 + $15 } END { print s + 0 }' "${files[@]}" 2>/dev/null || true
}
server_cpu() { tree_cpu "$server_pid"; }
# PostgreSQL's postmaster: the oldest process named postgres (the server runs on this machine).
database_cpu() { if [[ -n "$db_is_pg" ]]; then tree_cpu "$(pgrep -o -x postgres)"; else echo 0; fi; }
# Processes and threads created on the whole machine so far (the "processes" line of /proc/stat).
forks() { awk '$1 == "processes" { print $2 }' /proc/stat; }
# New connections to the bench database so far (PostgreSQL 14+ counts them per database).
pg_sessions() {
  if [[ -n "$db_is_pg" ]]; then
    psql -h "$pg_host" -U "$pg_user" -d "$pg_db" -Atc "select sessions from pg_stat_database where datname = current_database()"
  else
    echo 0
  fi
}

wait_quiet() {
  local waited=0 before after busy=""
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

# start_server LOG WORKERS
start_server() {
  local log="$1" workers="$2"
  PLENARY_DATABASE_URL="$url" plenary load-demo >"$log.load-demo" 2>&1 ||
    { echo "plenary load-demo failed:" >&2; cat "$log.load-demo" >&2; return 1; }
  env -u PLENARY_RENDER_CACHE_MB PLENARY_DATABASE_URL="$url" PLENARY_LOAD_DEMO=false \
    PLENARY_ATTENDEE_WRITES_PER_MINUTE=1000000 PLENARY_LOG_LEVEL=warning \
    plenary serve --port "$port" --workers "$workers" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    if curl -fs -o /dev/null "$base/ready"; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the server died; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  curl -fs -o /dev/null "$base/ready" || { echo "the server was not ready after 60 s" >&2; return 1; }
  # With several workers the first one up answers /ready: wait until all of them are there
  # (uvicorn's parent and one process per worker), and give them a moment to start.
  if ((workers > 1)); then
    for _ in $(seq 1 100); do
      (($(tree_pids "$server_pid" | wc -l) > workers)) && break
      sleep 0.2
    done
  fi
  sleep 2
  alive_check
}

# The server is still there, with all its workers (uvicorn stops them all if one fails to start).
alive_check() {
  local count
  count="$(tree_pids "$server_pid" | wc -l)"
  if ! kill -0 "$server_pid" 2>/dev/null || ((workers_now > 1 && count <= workers_now)); then
    echo "the server (or one of its workers) is gone; its log:" >&2
    tail -n 40 "$out/$id-server.log" >&2
    exit 1
  fi
}

row_count() {
  if [[ -n "$db_is_pg" ]]; then
    psql -h "$pg_host" -U "$pg_user" -d "$pg_db" -Atc 'select count(*) from takeaway'
  elif command -v sqlite3 >/dev/null; then
    sqlite3 "$db_file" 'select count(*) from takeaway'
  else
    "$python" "$here/takeaways.py" count "$url"
  fi
}

# Until the row count stops moving: requests in flight when wrk stopped still commit.
settle() {
  local previous current
  previous="$(row_count)"
  for _ in $(seq 1 60); do
    sleep 1
    current="$(row_count)"
    [[ "$current" == "$previous" ]] && return 0
    previous="$current"
  done
  echo "  the row count was still moving after 60 s" >&2
}

# measure NAME THREADS SECONDS URL [wrk options...]; output in $out/$id-NAME.{txt,cpu}.
measure() {
  local name="$1" threads="$2" seconds="$3" target="$4"
  shift 4
  local file="$out/$id-$name" machine_before machine_after t0 t1 wrk_cpu
  local TIMEFORMAT='%3U %3S'
  echo "  wrk $name: -t$threads -c$connections -d${seconds}s $*" >&2
  local server_before database_before forks_before sessions_before
  sessions_before="$(pg_sessions)"
  server_before="$(server_cpu)"
  database_before="$(database_cpu)"
  forks_before="$(forks)"
  machine_before="$(machine_cpu)"
  t0="$(date +%s.%N)"
  { time wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout "$timeout" --latency "$@" "$target" \
    >"$file.txt" 2>"$file.err"; } 2>"$file.time"
  t1="$(date +%s.%N)"
  machine_after="$(machine_cpu)"
  local server_after database_after forks_after
  forks_after="$(forks)"
  server_after="$(server_cpu)"
  database_after="$(database_cpu)"
  wrk_cpu="$(awk '{ print $1 + $2 }' "$file.time")"
  awk -v hz="$clock_ticks" -v t0="$t0" -v t1="$t1" -v mb="$machine_before" -v ma="$machine_after" \
    -v s="$((server_after - server_before))" -v d="${db_is_pg:+$((database_after - database_before))}" \
    -v f="$((forks_after - forks_before))" -v c="$(($(pg_sessions) - sessions_before))" \
    -v w="$wrk_cpu" 'BEGIN {
      split(mb, b, " "); split(ma, a, " ")
      elapsed = t1 - t0; busy = (a[1] - b[1]) / hz; steal = (a[2] - b[2]) / hz
      server = s / hz; database = (d != "" && d > 0) ? d / hz : 0
      other = busy - server - database - w; if (other < 0) other = 0
      printf "elapsed %.3f\nbusy %.3f\nserver %.3f\nwrk %.3f\nother %.3f\nsteal %.3f\n",
        elapsed, busy, server, w, other, steal
      # SQLite: the database works inside the server process. A negative figure means the
      # accounting of the postmaster was caught mid-change (a backend exiting): none is better.
      if (d != "" && d >= 0) printf "database %.3f\n", database
      printf "forks %d\nsessions %d\n", f, c
    }' >"$file.cpu"
  rm -f "$file.time"
  echo "    $(grep -h '^Requests/sec' "$file.txt"); $(grep -h '^takeaways:' "$file.txt" || true)" >&2
  echo "    CPU: $(tr '\n' ' ' <"$file.cpu")" >&2
  alive_check
}

failed=0
# writes NAME MODE SECONDS ATTENDEES [--expect-rows N]: register, run wrk, settle, check.
writes() {
  local name="$1" mode="$2" seconds="$3" attendees="$4"
  shift 4
  local prefix="$out/$id-$name"
  "$python" "$here/takeaways.py" register "$base" "$slug" "$attendees" "$prefix"
  wait_quiet
  TAKEAWAYS_MODE="$mode" TAKEAWAYS_TOKENS="$prefix.tokens" TAKEAWAYS_TALKS="$out/talks.txt" \
    TAKEAWAYS_SLUG="$slug" TAKEAWAYS_SEED="$((RANDOM * 32 + RANDOM % 32))" TAKEAWAYS_OUT="$prefix" \
    TAKEAWAYS_RETRY_IDS="$retry_ids" \
    measure "$name" "$connections" "$seconds" "$base/events/$slug/talks/x/takeaways" -s "$here/takeaways.lua"
  settle
  if ! "$python" "$here/takeaways.py" check "$url" "$prefix" "$@" | sed 's/^/    /' >&2 ||
    ! grep -q '^ok yes$' "$prefix.check"; then
    echo "  CHECK FAILED for $label: $name" >&2
    failed=1
  fi
  runs_rows=$((runs_rows + $(awk '$1 == "rows" { print $2 }' "$prefix.check")))
}

revision="$(revision_of)"
results="$out/results.md"
totals="$out/totals.md"
: >"$totals"
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $revision, $(nproc) cores;"
  echo "     wrk -t$connections -c$connections -d${duration}s --timeout $timeout --latency -s bench/takeaways.lua;"
  echo "     retry storm: $retry_attendees attendees x $retry_ids client ids -->"
  "$python" "$here/takeaways.py" header
} >"$results"

# one_server ID LABEL WORKERS: the runs above on the server for $url; files $out/ID-*.
one_server() {
  id="$1"
  label="$2"
  local workers="$3"
  workers_now="$workers"
  echo "== $label" >&2
  wait_for_others
  wait_quiet
  local started_revision
  started_revision="$(revision_of)"
  start_server "$out/$id-server.log" "$workers"
  "$python" "$here/takeaways.py" talks "$base" "$slug" "$out/talks.txt"
  local baseline
  baseline="$(row_count)"
  runs_rows=0
  writes warmup create 3 "$connections"
  wait_quiet
  measure health "$connections" "$duration" "$base/health"
  wait_quiet
  measure health-t2 2 "$duration" "$base/health"
  writes create create "$duration" "$connections"
  writes retry retry "$duration" "$retry_attendees" --expect-rows "$((retry_attendees * retry_ids))"
  local total
  total="$(row_count)"
  stop_server
  local verdict="equal"
  if ((total - baseline != runs_rows)); then verdict="**NOT EQUAL**"; failed=1; fi
  echo "- $label: \`select count(*) from takeaway\` went from $baseline (the demo's) to $total:" \
    "$((total - baseline)) new rows; the warm-up, create and retry runs' attendees hold $runs_rows ($verdict)." \
    "Code: $started_revision." >>"$totals"
  local ceiling="$out/$id-health.txt"
  row() { "$python" "$here/takeaways.py" row "$out/$id-$1.txt" --label "$label" --what "$2" \
    --cpu "$out/$id-$1.cpu" --ceiling "$ceiling" "${@:3}"; }
  {
    row health "GET /health (ceiling), -t$connections"
    row health-t2 "GET /health, -t2 (as bench/run.sh)"
    row create "takeaway POST, new client_id each (create)" --check "$out/$id-create.check"
    row retry "retry storm, $((retry_attendees * retry_ids)) client_ids" --check "$out/$id-retry.check"
  } >>"$results"
}

if [[ "$run_sqlite" == 1 ]]; then
  db_is_pg=""
  db_file="$out/takeaways.db"
  url="sqlite+aiosqlite:///$db_file"
  rm -f "$db_file" "$db_file-wal" "$db_file-shm"
  one_server sqlite-1 "SQLite, 1 worker" 1
fi

for workers in $pg_workers; do
  db_is_pg=1
  url="postgresql+asyncpg://$pg_user@$pg_host:5432/$pg_db"
  dropdb -h "$pg_host" -U "$pg_user" --if-exists "$pg_db"
  createdb -h "$pg_host" -U "$pg_user" "$pg_db"
  pg_created=1
  one_server "pg-$workers" "PostgreSQL, $workers worker$( ((workers > 1)) && echo s)" "$workers"
  drop_pg
done

{
  echo
  cat "$totals"
} >>"$results"
cat "$results"
exit $((failed ? 2 : 0))
