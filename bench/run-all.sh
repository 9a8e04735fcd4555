#!/usr/bin/env bash
# bench/run-all.sh — build with optimisation and run every benchmark in one
# go, so the figures in the README come from one run on one machine.
#   bench/run-all.sh [builddir]
# The machine is shared and noisy: every benchmark prints medians, and the
# comparisons (zvfio vs fio, mediated vs direct) are measured side by side.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$ROOT/build/bench}
cd "$ROOT"
if [ ! -f "$B/build.ninja" ]; then
    meson setup "$B" --buildtype=release -Dtests=disabled >/dev/null
fi
ninja -C "$B" bench/css/css_bench bench/dev/dasd_bench \
    bench/vfio_ccw/vfio_bench bench/vfio_ccw/cp_bench \
    bench/vfio_ap/matrix_bench bench/vfio_ap/rsa_bench \
    tools/img/zvfio-img >/dev/null
echo "== host channel subsystem (virtual loop)"
"$B/bench/css/css_bench"
echo "== channel-program translation"
"$B/bench/vfio_ccw/cp_bench"
echo "== mediated (vfio-ccw in process) vs host CSS direct"
"$B/bench/vfio_ccw/vfio_bench"
echo "== vfio-ap guest matrix recomputation, 256 x 256"
"$B/bench/vfio_ap/matrix_bench"
echo "== RSA-2048 CRT through the vfio-ap guest path vs OpenSSL direct"
"$B/bench/vfio_ap/rsa_bench"
echo "== DASD through the channel-program engine vs fio psync"
sh bench/dev/run.sh "$B"
