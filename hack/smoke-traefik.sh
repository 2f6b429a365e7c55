#!/usr/bin/env bash
# Smoke test of the Traefik binary built by hack/build-binaries.sh: `traefik version`, then Traefik
# with the file provider on 127.0.0.1 routing to a tiny local HTTP server, one request through it
# and its Prometheus series for that request. Everything it starts is stopped at the end.
#
#   hack/smoke-traefik.sh [path/to/traefik]     default: the build cache's traefik
# Environment: KANARIA_CACHE_DIR (default ~/.cache/kanaria)
set -euo pipefail

cache_root=${KANARIA_CACHE_DIR:-$HOME/.cache/kanaria}
traefik=${1:-$cache_root/k8s-1.35.4/bin/traefik}
if [ ! -x "$traefik" ]; then
  echo "error: $traefik not found; build it with hack/build-binaries.sh traefik" >&2
  exit 3
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kanaria-smoke-traefik-XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "FAIL: $*" >&2
  [ ! -f "$work/traefik.log" ] || { echo "--- traefik log (last lines):" >&2; tail -n 20 "$work/traefik.log" >&2; }
  exit 1
}

# free_port: a port on 127.0.0.1 that nothing listens on right now.
free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

echo "== $traefik version"
"$traefik" version

backend_port=$(free_port)
web_port=$(free_port)
metrics_port=$(free_port)

node -e "
require('http').createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('hello from the backend, path ' + req.url + '\n');
}).listen($backend_port, '127.0.0.1');
" &
pids+=($!)

cat >"$work/dynamic.yml" <<EOF
http:
  routers:
    smoke:
      entryPoints: [web]
      rule: PathPrefix(\`/\`)
      service: backend
  services:
    backend:
      loadBalancer:
        servers:
          - url: http://127.0.0.1:$backend_port
EOF

echo "== traefik on 127.0.0.1:$web_port (metrics on :$metrics_port) -> backend on 127.0.0.1:$backend_port"
"$traefik" \
  --global.checkNewVersion=false --global.sendAnonymousUsage=false \
  --api.dashboard=false --log.level=INFO \
  --entryPoints.web.address=127.0.0.1:"$web_port" \
  --entryPoints.metrics.address=127.0.0.1:"$metrics_port" \
  --metrics.prometheus=true --metrics.prometheus.entryPoint=metrics \
  --metrics.prometheus.addServicesLabels=true \
  --providers.providersThrottleDuration=100ms \
  --providers.file.filename="$work/dynamic.yml" >"$work/traefik.log" 2>&1 &
pids+=($!)

body=
for _ in $(seq 1 100); do
  kill -0 "${pids[1]}" 2>/dev/null || fail "traefik exited"
  if body=$(curl -fsS --max-time 2 "http://127.0.0.1:$web_port/smoke" 2>/dev/null); then break; fi
  sleep 0.1
done
[ "$body" = "hello from the backend, path /smoke" ] || fail "no answer from the backend through traefik (got '$body')"
echo "== curl http://127.0.0.1:$web_port/smoke -> $body"

series=$(curl -fsS --max-time 2 "http://127.0.0.1:$metrics_port/metrics" | grep '^traefik_service_requests_total{' || true)
grep -q 'service="backend@file"' <<<"$series" || fail "no traefik_service_requests_total for backend@file"
echo "== $series"

cleanup
trap - EXIT
for port in "$backend_port" "$web_port" "$metrics_port"; do
  if curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$port/"; then fail "port $port still answers"; fi
done
echo "OK: traefik answered through the file provider; everything it started is stopped"
