#!/usr/bin/env bash
# Creates the kind cluster for Kanaria's e2e scenarios: ingress-nginx with metrics, Prometheus,
# Flagger's load tester (namespace kanaria-e2e) and Kanaria built from this checkout and installed
# from charts/kanaria. Needs docker, kind, kubectl and helm. Idempotent: re-running upgrades in place.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cluster="${KANARIA_KIND_CLUSTER:-kanaria-e2e}"
image="kanaria:e2e"

for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "up.sh: $tool is required" >&2; exit 1; }
done

if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --name "$cluster" --config "$here/kind-config.yaml" --wait 120s
fi
export KUBECONFIG="${KUBECONFIG:-$HOME/.kube/kind-$cluster}"
kind get kubeconfig --name "$cluster" >"$KUBECONFIG"

echo "--- ingress-nginx (metrics on, scraped through pod annotations)"
helm upgrade --install ingress-nginx ingress-nginx \
  --repo https://kubernetes.github.io/ingress-nginx \
  --namespace ingress-nginx --create-namespace \
  --values "$here/ingress-nginx-values.yaml" \
  --set controller.metrics.enabled=true \
  --wait --timeout 5m

echo "--- Prometheus (monitoring/prometheus:9090)"
kubectl apply -f "$here/prometheus.yaml"
kubectl -n monitoring rollout status deployment/prometheus --timeout=5m

echo "--- Flagger's load tester (kanaria-e2e/flagger-loadtester)"
kubectl create namespace kanaria-e2e --dry-run=client -o yaml | kubectl apply -f -
sed 's/namespace: test/namespace: kanaria-e2e/' "$repo/examples/podinfo/loadtester.yaml" | kubectl apply -f -
kubectl -n kanaria-e2e rollout status deployment/flagger-loadtester --timeout=5m

echo "--- Kanaria ($image from this checkout, chart charts/kanaria)"
docker build -t "$image" "$repo"
kind load docker-image "$image" --name "$cluster"
helm upgrade --install kanaria "$repo/charts/kanaria" \
  --namespace kanaria-system --create-namespace \
  --set image.repository=kanaria --set image.tag=e2e --set image.pullPolicy=Never \
  --set metricsServer=http://prometheus.monitoring:9090 \
  --set logLevel=debug \
  --wait --timeout 5m
# The chart's Deployment does not change when only the image content does: restart to pick it up.
kubectl -n kanaria-system rollout restart deployment/kanaria
kubectl -n kanaria-system rollout status deployment/kanaria --timeout=5m

echo "cluster $cluster ready: export KUBECONFIG=$KUBECONFIG; then e2e/kind/run.sh"
