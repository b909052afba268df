#!/usr/bin/env bash
# Wall time of `plenary import` on SQLite and PostgreSQL, against `plenary db upgrade` as a baseline.
#
# Files imported:
#   - the largest real schedule in shared/schedules, 36C3 (frab XML and C3VOC JSON, 1351 talks),
#   - the synthetic 10000-talk event: bench/generate.py writes bench-10000 into a SQLite file, a
#     server on it exports /events/bench-10000/schedule.xml and schedule.json, and those files are
#     imported as the event `synth` (BENCH_SYNTH_TALKS changes the size).
#
# Every run is one `plenary import FILE --event SLUG --timezone Europe/Berlin` process, timed with
# /usr/bin/time (wall, user + sys CPU of that process, peak RSS), into a fresh database each time: a
# new SQLite file, or the PostgreSQL database `bench` dropped and created again (the database
# `test` is never touched). `plenary import` migrates the database first, so the same process with
# nothing to import, `plenary db upgrade`, is timed too on a fresh database (process start, imports,
# all migrations) and on one already at the newest migration (the baseline of a re-import). After
# the fresh imports, the same file is imported again into the last database: that must create
# nothing and change nothing.
#
# Results go to bench/out/import/results.md, each run's output and timing next to it.
#
#   bench/import.sh
#   BENCH_BACKENDS=sqlite BENCH_RUNS=1 bench/import.sh     # a quick one
#
# Environment (defaults): BENCH_RUNS (3), BENCH_BACKENDS ("sqlite postgresql"),
# BENCH_PG_HOST (127.0.0.1), BENCH_PG_PORT (5432), BENCH_PG_USER (postgres), BENCH_SYNTH_TALKS
# (10000), BENCH_SCHEDULES (/work/shared/schedules), BENCH_QUIET_WAIT (300 s), BENCH_PORT (18767),
# BENCH_REVISION (unset: the working tree; else a commit whose service/ is measured, as in
# bench/run.sh), PYTHON (python, the virtualenv's).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/out/import"
runs="${BENCH_RUNS:-3}"
backends="${BENCH_BACKENDS:-sqlite postgresql}"
pg_host="${BENCH_PG_HOST:-127.0.0.1}"
pg_port="${BENCH_PG_PORT:-5432}"
pg_user="${BENCH_PG_USER:-postgres}"
pg_database=bench
synth_talks="${BENCH_SYNTH_TALKS:-10000}"
schedules="${BENCH_SCHEDULES:-/work/shared/schedules}"
quiet_wait="${BENCH_QUIET_WAIT:-300}"
port="${BENCH_PORT:-18767}"
python="${PYTHON:-python}"
threads=1
timeout=60s
zone=Europe/Berlin
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_RUNS must be a positive integer" >&2; exit 1; }
[[ "$quiet_wait" =~ ^[0-9]+$ ]] || { echo "BENCH_QUIET_WAIT must be whole seconds" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source "$here/lib.sh"
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM
require_tools
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is needed (apt-get install time)" >&2; exit 1; }
mkdir -p "$out"
pin_revision

pg() { "$@" -h "$pg_host" -p "$pg_port" -U "$pg_user"; }
for backend in $backends; do
  case "$backend" in
    sqlite) ;;
    postgresql) pg psql -d postgres -Atqc 'select 1' >/dev/null || { echo "PostgreSQL is not reachable" >&2; exit 1; } ;;
    *) echo "unknown backend $backend (sqlite, postgresql)" >&2; exit 1 ;;
  esac
done

# fresh_database BACKEND: an empty database, its URL in $url.
fresh_database() {
  if [[ "$1" == sqlite ]]; then
    local file="$out/import.db"
    rm -f "$file" "$file-wal" "$file-shm"
    url="sqlite+aiosqlite:///$file"
  else
    pg dropdb --if-exists "$pg_database"
    pg createdb "$pg_database"
    url="postgresql+asyncpg://$pg_user@$pg_host:$pg_port/$pg_database"
  fi
}

# timed NAME COMMAND...: run it against $url; "wall cpu rss_kib exit_status" on stdout, its output
# in $out/NAME.log. A command that fails before printing an import report stops the script; one that
# fails after it (the import committed, then the process crashed) is counted and reported instead.
timed() {
  local name="$1" status=0
  shift
  PLENARY_DATABASE_URL="$url" PLENARY_LOG_LEVEL=warning /usr/bin/time -f '%e %U %S %M' -o "$out/$name.time" \
    "$@" >"$out/$name.log" 2>&1 || status=$?
  if ((status != 0)); then
    if ! grep -q ' talks in the file;' "$out/$name.log"; then
      echo "$* failed ($status):" >&2
      cat "$out/$name.log" >&2
      exit 1
    fi
    echo "  $name: exit status $status after the import's report ($(head -n1 "$out/$name.time"))" >&2
  fi
  tail -n1 "$out/$name.time" | awk -v s="$status" '{ printf "%.2f %.2f %d %d\n", $1, $2 + $3, $4, s }'
}

# series LABEL BACKEND FRESH(yes|no) COMMAND...: $runs timed runs; fields of the median (by wall
# time) in $s_wall $s_cpu $s_rss, the range in $s_min $s_max, the last run's output in $s_log, and
# in $s_failed the runs that exited non-zero after their report, with their exit statuses.
series() {
  local label="$1" backend="$2" fresh="$3" i lines=""
  shift 3
  for i in $(seq 1 "$runs"); do
    [[ "$fresh" == yes ]] && fresh_database "$backend"
    lines+="$(timed "$label-$i" "$@")"$'\n'
  done
  lines="$(sort -n <<<"${lines%$'\n'}")"
  read -r s_wall s_cpu s_rss _ < <(awk -v k="$(((runs + 1) / 2))" 'NR == k' <<<"$lines")
  s_min="$(head -n1 <<<"$lines" | cut -d' ' -f1)"
  s_max="$(tail -n1 <<<"$lines" | cut -d' ' -f1)"
  s_log="$out/$label-$runs.log"
  s_failed="$(awk '$4 != 0 { k++; s[$4] = 1 } END { if (k) { printf "%d of %d runs exited with", k, NR; for (x in s) printf " %s", x } }' <<<"$lines")"
  echo "  $label: median ${s_wall}s (${s_min} to ${s_max}), CPU ${s_cpu}s, $((s_rss / 1024)) MiB${s_failed:+; $s_failed}" >&2
}

# The synthetic event, exported by the service in both formats.
echo "== synthetic event of $synth_talks talks" >&2
source_db="$out/source-$synth_talks.db"
url="sqlite+aiosqlite:///$source_db"
rm -f "$source_db" "$source_db-wal" "$source_db-shm"
"$python" "$here/generate.py" --database-url "$url" --talks "$synth_talks"
start_server "$out/server-export.log"
for format in xml json; do
  status=$(curl -s -o "$out/synth-$synth_talks.$format" -w '%{http_code}' \
    "$base/events/bench-$synth_talks/schedule.$format")
  [[ "$status" == 200 ]] || { echo "schedule.$format answered $status" >&2; exit 1; }
done
stop_server

files=(
  "36c3 (frab XML)|$schedules/ccc-36c3-merged_schedule.xml|e36c3"
  "36c3 (C3VOC JSON)|$schedules/ccc-36c3-merged_schedule.json|e36c3"
  "synthetic $synth_talks (frab XML)|$out/synth-$synth_talks.xml|synth"
  "synthetic $synth_talks (C3VOC JSON)|$out/synth-$synth_talks.json|synth"
)

results="$out/results.md"
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $revision, $(nproc) cores; median of $runs runs each -->"
  echo "| database | file | size | talks | import, fresh DB (median, min to max) | minus \`db upgrade\` | ÷ \`db upgrade\` | per talk | import CPU (process) | peak RSS | re-import, same DB (median) | minus upgrade at head | re-import report |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$results"
baselines="$out/baselines.md"
{
  echo "| database | \`plenary db upgrade\`, fresh DB (median, min to max) | CPU | \`db upgrade\` at head (median) |"
  echo "|---|---:|---:|---:|"
} >"$baselines"

for backend in $backends; do
  echo "== $backend" >&2
  wait_quiet
  series "$backend-upgrade-fresh" "$backend" yes plenary db upgrade
  upgrade_fresh="$s_wall"
  upgrade_row="| $backend | ${s_wall} s (${s_min} to ${s_max}) | ${s_cpu} s"
  series "$backend-upgrade-head" "$backend" no plenary db upgrade
  upgrade_head="$s_wall"
  echo "$upgrade_row | ${s_wall} s |" >>"$baselines"

  for entry in "${files[@]}"; do
    IFS='|' read -r label file slug <<<"$entry"
    key="$backend-$(tr -c 'a-z0-9\n' '-' <<<"${label,,}")"
    wait_quiet
    series "$key-fresh" "$backend" yes plenary import "$file" --event "$slug" --timezone "$zone"
    fresh_wall="$s_wall" fresh_min="$s_min" fresh_max="$s_max" fresh_cpu="$s_cpu" fresh_rss="$s_rss"
    fresh_failed="$s_failed"
    talks="$(grep -o '[0-9]* talks in the file' "$s_log" | cut -d' ' -f1)"
    grep -q " $talks created" "$s_log" || { echo "the import did not create $talks talks:" >&2; cat "$s_log" >&2; exit 1; }
    series "$key-again" "$backend" no plenary import "$file" --event "$slug" --timezone "$zone"
    report="$(grep -o '[0-9]* created, .* deleted' "$s_log")"
    [[ "$report" == "0 created, 0 updated, $talks unchanged, 0 cancelled, 0 deleted" ]] ||
      echo "  the re-import was not a no-op: $report" >&2
    [[ -z "$fresh_failed" ]] || report+="; fresh import: $fresh_failed"
    [[ -z "$s_failed" ]] || report+="; re-import: $s_failed (after the report)"
    size="$("$python" "$here/wrk_report.py" bytes "$(wc -c <"$file")")"
    awk -v b="$backend" -v l="$label" -v size="$size" -v t="$talks" -v w="$fresh_wall" -v lo="$fresh_min" \
      -v hi="$fresh_max" -v c="$fresh_cpu" -v rss="$fresh_rss" -v u="$upgrade_fresh" -v h="$upgrade_head" \
      -v again="$s_wall" -v r="$report" 'BEGIN {
        printf "| %s | %s | %s | %d | %.2f s (%.2f to %.2f) | %.2f s | %.1f× | %.2f ms | %.2f s | %d MiB | %.2f s | %.2f s | %s |\n",
          b, l, size, t, w, lo, hi, w - u, w / u, (w - u) * 1000 / t, c, rss / 1024, again, again - h, r
      }' >>"$results"
  done
done
[[ " $backends " == *" postgresql "* ]] && pg dropdb --if-exists "$pg_database"

{
  echo
  cat "$baselines"
} >>"$results"
rm -f "$baselines"
cat "$results"
