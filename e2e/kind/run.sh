#!/usr/bin/env bash
# Runs the e2e scenarios (npm run e2e) against the kind cluster up.sh created: real ingress-nginx
# instead of the simulation, the in-cluster Kanaria instead of an operator process. Port-forwards
# the ingress controller and Prometheus to 127.0.0.1 for the test process and stops them on exit.
# Extra arguments go to vitest, e.g. `e2e/kind/run.sh e2e/walkthrough.test.ts`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cluster="${KANARIA_KIND_CLUSTER:-kanaria-e2e}"
export KUBECONFIG="${KUBECONFIG:-$HOME/.kube/kind-$cluster}"
ingress_port="${KANARIA_E2E_INGRESS_PORT:-18080}"
prometheus_port="${KANARIA_E2E_PROMETHEUS_PORT:-19090}"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

kubectl -n ingress-nginx port-forward --address 127.0.0.1 svc/ingress-nginx-controller "$ingress_port:80" >/dev/null &
pids+=($!)
kubectl -n monitoring port-forward --address 127.0.0.1 svc/prometheus "$prometheus_port:9090" >/dev/null &
pids+=($!)
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$prometheus_port/-/ready" >/dev/null 2>&1 &&
    curl -sS -o /dev/null "http://127.0.0.1:$ingress_port/" 2>/dev/null; then
    break
  fi
  sleep 0.2
done

cd "$repo"
KANARIA_TEST_USE_KUBECONFIG=1 \
  KANARIA_E2E_INGRESS_URL="http://127.0.0.1:$ingress_port" \
  KANARIA_E2E_PROMETHEUS_URL="http://127.0.0.1:$prometheus_port" \
  KANARIA_E2E_GATE_URL="${KANARIA_E2E_GATE_URL:-http://kanaria.kanaria-system:8081}" \
  KANARIA_E2E_LOADTESTER_URL="${KANARIA_E2E_LOADTESTER_URL:-http://flagger-loadtester.kanaria-e2e/}" \
  npm run e2e -- "$@"
