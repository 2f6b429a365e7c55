#!/usr/bin/env bash
# Builds the local control plane's binaries from their Go modules at pinned versions into a cache
# directory outside the repository. Already built binaries are reused.
#
#   hack/build-binaries.sh [component ...]     components: etcd kube-apiserver
#                                              kube-controller-manager kube-scheduler kwok helm kubeconform
#                                              flagger (for the benchmarks' side-by-side runs)
# Environment: KANARIA_CACHE_DIR (default ~/.cache/kanaria)
set -euo pipefail

KUBE_VERSION=1.35.4
ETCD_VERSION=3.6.6
KWOK_VERSION=0.7.0
HELM_VERSION=3.19.0
KUBECONFORM_VERSION=0.7.0
FLAGGER_VERSION=1.44.0

cache_root=${KANARIA_CACHE_DIR:-$HOME/.cache/kanaria}
bin_dir="$cache_root/k8s-$KUBE_VERSION/bin"
work_root="$cache_root/build"
mkdir -p "$bin_dir" "$work_root"

if ! command -v go >/dev/null 2>&1; then
  echo "error: Go is not installed (needed to build the local control plane's binaries)." >&2
  echo "       Install Go 1.25 or newer, or put prebuilt binaries in a directory and set KUBEBUILDER_ASSETS to it." >&2
  exit 3
fi

# new_module DIR: an empty Go module in DIR, used only to pin and build one tool.
new_module() {
  rm -rf "$1" && mkdir -p "$1"
  (cd "$1" && go mod init "kanaria.local/build/$(basename "$1")" >/dev/null 2>&1)
}

build_kube() {
  local dir="$work_root/kubernetes-$KUBE_VERSION" staging=0.${KUBE_VERSION#1.}
  if [ ! -f "$dir/.ready" ]; then
    new_module "$dir"
    (
      cd "$dir"
      go mod edit -require "k8s.io/kubernetes@v$KUBE_VERSION"
      # k8s.io/kubernetes points its staging modules at ./staging; use the published versions.
      local gomod
      gomod=$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
      for m in $(grep -E '^\s+k8s\.io/[a-z0-9-]+ => \./staging' "$gomod" | awk '{print $1}'); do
        go mod edit -replace "$m=$m@v$staging"
      done
      printf 'package tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver/app"\n\t_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"\n\t_ "k8s.io/kubernetes/cmd/kube-scheduler/app"\n)\n' >tools.go
      go mod tidy >/dev/null
    )
    touch "$dir/.ready"
  fi
  local ldflags="-s -w" minor=${KUBE_VERSION#1.}
  minor=${minor%%.*}
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$bin_dir/$1" "k8s.io/kubernetes/cmd/$1")
}

# new_tool_module NAME MODULE VERSION PACKAGE: a module in $work_root/NAME-VERSION that pins one tool.
new_tool_module() {
  local dir="$work_root/$1-$3"
  new_module "$dir"
  (
    cd "$dir"
    go mod edit -require "$2@v$3"
    printf 'package tools\n\nimport _ "%s"\n' "$4" >tools.go
    go mod tidy >/dev/null
  )
}

build_simple() { # name module version package [extra ldflags]
  new_tool_module "$1" "$2" "$3" "$4"
  (cd "$work_root/$1-$3" && go build -trimpath -ldflags "-s -w ${5:-}" -o "$bin_dir/$1" "$4")
}

# Helm's Makefile stamps its version and the Kubernetes version it was built against (the minor of
# its k8s.io/client-go); without them `helm template` and `helm lint` assume Kubernetes 1.20 for
# .Capabilities.KubeVersion and for the API deprecation checks.
build_helm() {
  local pkg=helm.sh/helm/v3/cmd/helm dir="$work_root/helm-$HELM_VERSION" minor
  new_tool_module helm helm.sh/helm/v3 "$HELM_VERSION" "$pkg"
  minor=$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/client-go)
  minor=${minor#v0.}
  minor=${minor%%.*}
  local ldflags="-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION"
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X $p.k8sVersionMajor=1 -X $p.k8sVersionMinor=$minor"
  done
  (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$bin_dir/helm" "$pkg")
}

build_one() {
  case "$1" in
    kube-apiserver | kube-controller-manager | kube-scheduler) build_kube "$1" ;;
    etcd) build_simple etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 ;;
    kwok) build_simple kwok sigs.k8s.io/kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok ;;
    helm) build_helm ;;
    kubeconform)
      build_simple kubeconform github.com/yannh/kubeconform "$KUBECONFORM_VERSION" \
        github.com/yannh/kubeconform/cmd/kubeconform "-X main.version=v$KUBECONFORM_VERSION"
      ;;
    flagger)
      build_simple flagger github.com/fluxcd/flagger "$FLAGGER_VERSION" github.com/fluxcd/flagger/cmd/flagger \
        "-X github.com/fluxcd/flagger/pkg/version.REVISION=v$FLAGGER_VERSION"
      ;;
    *) echo "error: unknown component '$1'" >&2; exit 2 ;;
  esac
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
for c in "${components[@]}"; do
  if [ -x "$bin_dir/$c" ]; then
    continue
  fi
  echo "building $c into $bin_dir (once; later runs reuse it)" >&2
  start=$SECONDS
  if ! build_one "$c" >"$work_root/$c.log" 2>&1; then
    echo "error: building $c failed; last lines of $work_root/$c.log:" >&2
    tail -n 30 "$work_root/$c.log" >&2
    rm -f "$bin_dir/$c"
    exit 4
  fi
  echo "built $c in $((SECONDS - start))s" >&2
done
echo "$bin_dir"
