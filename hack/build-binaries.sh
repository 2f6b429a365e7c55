#!/usr/bin/env bash
# Builds the local control plane's binaries from their Go modules at pinned versions into a cache
# directory outside the repository. Already built binaries are reused.
#
#   hack/build-binaries.sh [component ...]     components: etcd kube-apiserver
#                                              kube-controller-manager kube-scheduler kwok helm kubeconform
#                                              flagger (for the benchmarks' side-by-side runs)
#                                              traefik prometheus (the real proxy and metrics server)
# Environment: KANARIA_CACHE_DIR (default ~/.cache/kanaria)
#
# Progress goes to stderr: "[k/n] building NAME …", what each step does, a "still building" line
# every 30 s and the elapsed time at the end; each build's full output is in $work_root/NAME.log.
# The last line on stdout is the directory holding the binaries.
set -euo pipefail

KUBE_VERSION=1.35.4
ETCD_VERSION=3.6.6
KWOK_VERSION=0.7.0
HELM_VERSION=3.19.0
KUBECONFORM_VERSION=0.7.0
FLAGGER_VERSION=1.44.0
TRAEFIK_VERSION=3.7.13
PROMETHEUS_VERSION=0.316.0 # the Go module version of Prometheus 3.16.0

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

# step MESSAGE: tells what the build is doing, on the terminal (fd 3) and in the build's log.
step() {
  echo "      $current: $*" >&3
  echo "== $*"
}

# elapsed SECONDS: 45s, 2m30s.
elapsed() {
  if [ "$1" -ge 60 ]; then echo "$(($1 / 60))m$(($1 % 60))s"; else echo "${1}s"; fi
}

# download_field MODULE@VERSION FIELD: a field (Dir, GoMod) of `go mod download -json`.
download_field() {
  go mod download -json "$1" | sed -n "s/.*\"$2\": \"\(.*\)\".*/\1/p"
}

# Traefik v3 from its Go module. A module that only requires it does not build as is; three of its
# dependencies cannot be downloaded at the versions it pins, and this works round each:
# - its go.mod replaces github.com/traefik/traefik/dynamic/ext with a folder of its repository that
#   is not in the module zip: a local module with the two empty structs the code embeds stands in;
# - the github.com/containous/go-http-auth fork version it pins is not downloadable: the older fork
#   version (pinned by Traefik v3.6) is used;
# - lego's providers/dns imports DNS provider SDKs whose pinned versions are not downloadable: a
#   local copy of lego without those providers in its registry is used (they are only for ACME
#   DNS-01 challenges, which a local proxy never runs).
# Traefik's other replace and exclude directives are copied, since a dependency's are ignored.
TRAEFIK_GO_HTTP_AUTH=v0.4.1-0.20200324110947-a37a7636d23e
LEGO_DROPPED_PROVIDERS="alidns aliesa azion dnsimple edgedns edgeone huaweicloud oraclecloud regfish sakuracloud tencentcloud ucloud yandexcloud"

build_traefik() {
  local mod=github.com/traefik/traefik/v3 dir="$work_root/traefik-$TRAEFIK_VERSION"
  local pkg=$mod/cmd/traefik
  step "generating the build module in $dir"
  new_module "$dir"
  cd "$dir"
  go mod edit -require "$mod@v$TRAEFIK_VERSION"
  step "downloading $mod@v$TRAEFIK_VERSION"
  local upstream src
  upstream=$(download_field "$mod@v$TRAEFIK_VERSION" GoMod)
  src=$(download_field "$mod@v$TRAEFIK_VERSION" Dir)
  [ -f "$upstream" ] && [ -d "$src" ] || { echo "error: cannot download $mod@v$TRAEFIK_VERSION" >&2; return 1; }

  # Upstream's replace and exclude directives, one per line: "replace OLD[ V] => NEW[ V]", "exclude M V".
  local directives line kind rest old new
  directives=$(awk '
    { sub(/[ \t]*\/\/.*$/, "") }
    /^(replace|exclude)[ \t]*\($/ { block = $1; next }
    block != "" && /^\)/ { block = ""; next }
    block != "" && NF { $1 = $1; print block " " $0; next }
    /^(replace|exclude)[ \t]/ && NF { $1 = $1; print }
  ' "$upstream")
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    kind=${line%% *} rest=${line#* }
    if [ "$kind" = exclude ]; then
      step "exclude ${rest% *} ${rest#* } (as upstream)"
      go mod edit -exclude "${rest% *}@${rest#* }"
      continue
    fi
    old=${rest%% => *} new=${rest#* => }
    case "$new" in
      .* | /*) continue ;; # a folder of Traefik's repository: handled below
    esac
    step "replace $old => $new (as upstream)"
    go mod edit -replace "${old// /@}=${new// /@}"
  done <<<"$directives"

  # (a) github.com/traefik/traefik/dynamic/ext: a stand-in with the two types the code embeds inline.
  step "replace github.com/traefik/traefik/dynamic/ext => ./ext (stand-in: empty ext.HTTP, ext.Router)"
  mkdir -p ext
  printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.22\n' >ext/go.mod
  cat >ext/ext.go <<'GO'
// Package ext stands in for Traefik's dynamic configuration extension, which is not part of the
// published module: the configuration embeds these types inline, with no fields of their own.
package ext

// HTTP extends the HTTP dynamic configuration.
type HTTP struct{}

// Router extends an HTTP router.
type Router struct{}
GO
  go mod edit -replace github.com/traefik/traefik/dynamic/ext=./ext

  # (b) the go-http-auth fork: the version pinned by Traefik v3.6.
  local auth_old
  auth_old=$(awk '$1 == "replace" && /containous\/go-http-auth/ { print $2 } / => github.com\/containous\/go-http-auth / { print $1 }' "$upstream" | head -n 1)
  auth_old=${auth_old:-github.com/abbot/go-http-auth}
  step "replace $auth_old => github.com/containous/go-http-auth $TRAEFIK_GO_HTTP_AUTH (instead of upstream's fork version)"
  go mod edit -replace "$auth_old=github.com/containous/go-http-auth@$TRAEFIK_GO_HTTP_AUTH"

  # (c) lego without the DNS providers whose SDKs cannot be downloaded.
  local lego_version lego_src registry=lego/providers/dns/zz_gen_dns_providers.go p
  lego_version=$(awk '$1 == "github.com/go-acme/lego/v5" { print $2; exit } $1 == "require" && $2 == "github.com/go-acme/lego/v5" { print $3; exit }' "$upstream")
  [ -n "$lego_version" ] || { echo "error: $mod@v$TRAEFIK_VERSION does not require github.com/go-acme/lego/v5" >&2; return 1; }
  step "downloading github.com/go-acme/lego/v5@$lego_version and copying it to ./lego"
  lego_src=$(download_field "github.com/go-acme/lego/v5@$lego_version" Dir)
  [ -d "$lego_src" ] || { echo "error: cannot download github.com/go-acme/lego/v5@$lego_version" >&2; return 1; }
  cp -R "$lego_src" lego
  chmod -R u+w lego
  step "dropping $(wc -w <<<"$LEGO_DROPPED_PROVIDERS") DNS providers from lego's registry: $LEGO_DROPPED_PROVIDERS"
  # The generated registry has one import line per provider and a two-line case per provider:
  #   case "name"[, "alias"]:
  #       return name.NewDNSProvider()
  awk -v drop="$LEGO_DROPPED_PROVIDERS" '
    BEGIN { n = split(drop, d, " "); for (i = 1; i <= n; i++) dropped[d[i]] = 1 }
    held != "" {
      p = $2; sub(/\..*/, "", p)
      if (NF == 2 && $1 == "return" && (p in dropped) && $2 == p ".NewDNSProvider()") {
        removed_cases++; held = ""; next
      }
      print held; held = ""
    }
    /^\t"github.com\/go-acme\/lego\/v5\/providers\/dns\/[a-z0-9]+"$/ {
      p = $0; sub(/.*\//, "", p); sub(/"$/, "", p)
      if (p in dropped) { removed_imports++; next }
    }
    /^\tcase "/ { held = $0; next }
    { print }
    END {
      if (held != "") print held
      if (removed_imports != n || removed_cases != n) {
        printf "error: removed %d imports and %d cases, expected %d of each\n", removed_imports, removed_cases, n > "/dev/stderr"
        exit 1
      }
    }
  ' "$registry" >"$registry.new"
  mv "$registry.new" "$registry"
  for p in $LEGO_DROPPED_PROVIDERS; do
    if grep -q "\b$p\." "$registry"; then
      echo "error: $registry still refers to $p" >&2
      return 1
    fi
  done
  step "replace github.com/go-acme/lego/v5 => ./lego (local copy of $lego_version)"
  go mod edit -replace github.com/go-acme/lego/v5=./lego

  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" >tools.go
  step "go mod tidy (downloads Traefik's dependencies)"
  go mod tidy
  local replaces
  replaces=$(sed -n '/^replace/,$p' go.mod | grep -v '^$')
  step "go.mod's replace and exclude directives:"
  sed 's/^/        /' <<<"$replaces" >&3
  echo "$replaces"

  # Tidy resolves imports of dependencies' tests at their latest versions; check that none of them
  # moved a module that goes into the binary away from the version Traefik pins.
  step "checking the linked modules against the versions Traefik's go.mod pins"
  local drift
  drift=$(LC_ALL=C join \
    <(go list -deps -f '{{with .Module}}{{.Path}} {{.Version}}{{end}}' "$pkg" | LC_ALL=C sort -u) \
    <(awk '/^require[ \t]*\($/ { b = 1; next } b && /^\)/ { b = 0; next }
           b && NF >= 2 { print $1, $2 } /^require[ \t]+[^( \t]/ { print $2, $3 }' "$upstream" | LC_ALL=C sort -u) |
    awk '$2 != $3 { print $1 " " $3 " -> " $2 }')
  if [ -n "$drift" ]; then
    step "warning: these modules differ from Traefik's pins:"
    sed 's/^/        /' <<<"$drift" >&3
  fi

  local codename ldflags
  codename=$(sed -n 's/^[[:space:]]*CODENAME:[[:space:]]*\([A-Za-z0-9]*\).*/\1/p' "$src/.github/workflows/release.yaml" 2>/dev/null | head -n 1)
  ldflags="-s -w -X $mod/pkg/version.Version=$TRAEFIK_VERSION -X $mod/pkg/version.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  [ -z "$codename" ] || ldflags+=" -X $mod/pkg/version.Codename=$codename"
  step "go build $pkg (about 2,500 packages; several minutes on 2 cores)"
  go build -trimpath -ldflags "$ldflags" -o "$dir/traefik" "$pkg"
  mv -f "$dir/traefik" "$bin_dir/traefik"
  "$bin_dir/traefik" version
}

# Prometheus from its Go module, with the version fields its release builds stamp, so that
# `prometheus --version` tells which one it is. The web UI's assets are not in the module.
build_prometheus() {
  local mod=github.com/prometheus/prometheus pkg=github.com/prometheus/prometheus/cmd/prometheus
  local dir="$work_root/prometheus-$PROMETHEUS_VERSION"
  step "generating the build module in $dir and running go mod tidy (downloads Prometheus's dependencies)"
  new_tool_module prometheus "$mod" "$PROMETHEUS_VERSION" "$pkg"
  cd "$dir"
  local src version v=github.com/prometheus/common/version ldflags
  src=$(go list -m -f '{{.Dir}}' "$mod")
  version=$(cat "$src/VERSION" 2>/dev/null || echo "$PROMETHEUS_VERSION")
  ldflags="-s -w -X $v.Version=$version -X $v.Revision=v$PROMETHEUS_VERSION -X $v.Branch=HEAD"
  ldflags+=" -X $v.BuildUser=$(id -un)@$(hostname) -X $v.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)"
  step "go build $pkg (Prometheus $version, about 1,500 packages; several minutes on 2 cores)"
  go build -trimpath -ldflags "$ldflags" -o "$dir/prometheus" "$pkg"
  mv -f "$dir/prometheus" "$bin_dir/prometheus"
  "$bin_dir/prometheus" --version
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
    traefik) (build_traefik) ;;
    prometheus) (build_prometheus) ;;
    *) echo "error: unknown component '$1'" >&2; exit 2 ;;
  esac
}

# heartbeat NAME START: "still building NAME: 2m30s" every 30 s until it is killed.
heartbeat() {
  local pause
  trap 'kill "$pause" 2>/dev/null; exit 0' TERM
  while :; do
    sleep 30 </dev/null >/dev/null 2>&1 3>&- &
    pause=$!
    wait "$pause"
    echo "      still building $1: $(elapsed $(($(date +%s) - $2)))" >&3
  done
}

heartbeat_pid=
stop_heartbeat() {
  if [ -n "$heartbeat_pid" ]; then
    kill "$heartbeat_pid" 2>/dev/null || true
    wait "$heartbeat_pid" 2>/dev/null || true
    heartbeat_pid=
  fi
}
trap stop_heartbeat EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

exec 3>&2
components=("$@")
[ ${#components[@]} -gt 0 ] || components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
missing=()
for c in "${components[@]}"; do
  case "$c" in
    etcd | kube-apiserver | kube-controller-manager | kube-scheduler | kwok | helm | kubeconform | flagger | traefik | prometheus) ;;
    *) echo "error: unknown component '$c'" >&2; exit 2 ;;
  esac
  [ -x "$bin_dir/$c" ] || missing+=("$c")
done
k=0
for c in "${missing[@]}"; do
  k=$((k + 1))
  current=$c
  echo "[$k/${#missing[@]}] building $c into $bin_dir (once; later runs reuse it) …" >&2
  start=$(date +%s)
  heartbeat "$c" "$start" &
  heartbeat_pid=$!
  # Not `if ! build_one` or `build_one || …`: bash ignores `set -e` inside a function called there.
  set +e
  (set -e; build_one "$c") >"$work_root/$c.log" 2>&1
  status=$?
  set -e
  stop_heartbeat
  if [ "$status" -ne 0 ]; then
    echo "error: building $c failed after $(elapsed $(($(date +%s) - start))); last lines of $work_root/$c.log:" >&2
    tail -n 30 "$work_root/$c.log" >&2
    rm -f "$bin_dir/$c"
    exit 4
  fi
  echo "[$k/${#missing[@]}] built $c in $(elapsed $(($(date +%s) - start)))" >&2
done
echo "$bin_dir"
