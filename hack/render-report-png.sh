#!/usr/bin/env bash
# Renders a release report (src/report/html.ts) to a PNG with headless Chromium, to look at it or to
# keep a screenshot as a test artifact. The report needs no network, so none is given to it beyond
# what Chromium does by itself at start-up.
#
#   hack/render-report-png.sh <report.html> <out.png>
# Environment: CHROMIUM (default: the first of chromium, chromium-browser, google-chrome on PATH),
#   REPORT_WIDTH (default 1200), REPORT_HEIGHT (default 1600; the page is cut off below it).
# Chromium comes from Debian: apt-get install -y --no-install-recommends chromium
#
# The sample report (src/report/sample.ts) as HTML:
#   node --input-type=module -e "import { renderReleaseReport } from './src/report/html.ts';
#     import { sampleReleaseReport } from './src/report/sample.ts';
#     process.stdout.write(renderReleaseReport(sampleReleaseReport()));" > /tmp/report.html
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 <report.html> <out.png>" >&2
  exit 2
fi
html=$1
png=$2
if [ ! -f "$html" ]; then
  echo "error: $html not found" >&2
  exit 2
fi

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null; then
      browser=$candidate
      break
    fi
  done
fi
if [ -z "$browser" ]; then
  echo "error: no Chromium found; install it (apt-get install -y --no-install-recommends chromium) or set CHROMIUM" >&2
  exit 3
fi

# A profile of its own, so a run neither reads nor leaves a user's browser state.
profile=$(mktemp -d "${TMPDIR:-/tmp}/kanaria-report-chromium-XXXXXX")
trap 'rm -rf "$profile"' EXIT

out=$(realpath -m "$png")
rm -f "$out"
# --no-sandbox: Chromium's sandbox refuses to start as root, as in containers and CI.
"$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars --force-device-scale-factor=1 \
  --user-data-dir="$profile" --no-first-run --disable-extensions --disable-sync \
  --window-size="${REPORT_WIDTH:-1200},${REPORT_HEIGHT:-1600}" \
  --screenshot="$out" "file://$(realpath "$html")" >"$profile/chromium.log" 2>&1 || {
  cat "$profile/chromium.log" >&2
  exit 1
}
if [ "$(head -c 8 "$out" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]; then
  echo "error: Chromium wrote no PNG to $out" >&2
  cat "$profile/chromium.log" >&2
  exit 1
fi
echo "$out"
