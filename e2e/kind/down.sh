#!/usr/bin/env bash
# Deletes the kind cluster up.sh created.
set -euo pipefail
cluster="${KANARIA_KIND_CLUSTER:-kanaria-e2e}"
kind delete cluster --name "$cluster"
rm -f "$HOME/.kube/kind-$cluster"
