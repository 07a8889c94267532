#!/usr/bin/env bash
# Point read by _id over HTTP vs GET /api/v1/health on the same server in the same run (wrk).
# Loads BENCH_DOCS YCSB-shaped documents (10 fields x 100 B) first.
# Usage: bench/http_point_read.sh [build-dir]   (env: BENCH_DOCS, BENCH_SECONDS, BENCH_CONNS)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-release}"
docs="${BENCH_DOCS:-10000}"
secs="${BENCH_SECONDS:-10}"
conns="${BENCH_CONNS:-16}"
bin="$build/bin/mongosd"
[ -x "$bin" ] || { echo "build $bin first (cmake -DCMAKE_BUILD_TYPE=Release)"; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: run scripts/setup"; exit 1; }

work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
"$bin" shard --dbpath "$work/db" --port 0 --http-port 0 --port-file "$work/ports.json" \
  --log-level warn &
pid=$!
for _ in $(seq 1 200); do [ -s "$work/ports.json" ] && break; sleep 0.05; done
http=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["httpPort"])' "$work/ports.json")
url="http://127.0.0.1:$http"

python3 - "$url" "$docs" <<'PY'
import json, sys, urllib.request
url, n = sys.argv[1], int(sys.argv[2])
field = "x" * 100
batch = []
def flush():
    body = json.dumps({"database": "stargrad", "collection": "bench", "documents": batch}).encode()
    req = urllib.request.Request(url + "/api/v1/action/insertMany", body, {"Content-Type": "application/json"})
    urllib.request.urlopen(req).read()
    batch.clear()
for i in range(n):
    batch.append({"_id": i, **{f"field{k}": field for k in range(10)}})
    if len(batch) == 1000: flush()
if batch: flush()
PY

echo "== GET /api/v1/health ($conns connections, ${secs}s)"
wrk -t2 -c"$conns" -d"${secs}s" "$url/api/v1/health" | tee "$work/health.txt"
echo "== findOne by _id ($docs documents)"
BENCH_DOCS=$docs wrk -t2 -c"$conns" -d"${secs}s" -s bench/http_point_read.lua "$url" | tee "$work/read.txt"
h=$(awk '/Requests\/sec/ {print $2}' "$work/health.txt")
r=$(awk '/Requests\/sec/ {print $2}' "$work/read.txt")
python3 -c "import sys; h,r=float(sys.argv[1]),float(sys.argv[2]); print(f'point read / health throughput ratio: {r/h:.3f} ({r:.0f} vs {h:.0f} req/s)')" "$h" "$r"
