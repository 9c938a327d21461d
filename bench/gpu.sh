#!/usr/bin/env bash
# The GPU backend on a machine with a GPU: which renderer gpu.js got, the GPU image against the CPU
# backend's (and the C's), and whole-run timings of -backend gpu, the CPU backend and, with NB_C_BIN,
# the C on 2 OpenMP threads: medians of BENCH_RUNS (default 5) interleaved runs and their ratios.
#
#   bench/gpu.sh [2048|supervisor ...]    default: 2048 (supervisor needs the reference corpus's data)
#
# Needs the working tree with dist/ and gpu/node_modules (gpu.js and a built headless-gl, package gl:
# npm ci --prefix gpu where it can build, else carried over); no network. headless-gl renders through
# ANGLE on the OpenGL of an X display (GLX):
#   - DISPLAY set: that X server is used (on an NVIDIA box: an Xorg running the NVIDIA driver);
#   - else, with nvidia-smi, nvidia-xconfig and Xorg present: a headless Xorg is started on the GPU
#     (needs root and the NVIDIA X driver);
#   - else xvfb-run: Mesa's llvmpipe, a software renderer on the CPU; a smoke test, not a GPU timing.
# The renderer line below says which one was got. The correctness check runs every case of the C
# reference corpus (NB_REFERENCE_DIR, default reference/) when it is there, and always the
# timed configurations: correlation >= 0.99999, relative error <= 1e-3 above 1e-3 of the maximum.
set -euo pipefail
SELF=$(realpath "$0")
cd "$(dirname "$SELF")/.."
ROOT=$PWD
CLI=$ROOT/dist/src/cli/nanoBragg.cjs
RUNS=${BENCH_RUNS:-5}
REF=$(realpath -m "${NB_REFERENCE_DIR:-reference}")
CONFIGS=("$@")
[ ${#CONFIGS[@]} -gt 0 ] || CONFIGS=(2048)
have() { for tool; do command -v "$tool" >/dev/null || return 1; done; }
under_xvfb() {
  have xvfb-run || { echo "bench/gpu.sh: no DISPLAY, no Xorg on an NVIDIA GPU and no xvfb-run" >&2; exit 2; }
  exec xvfb-run -a -s "-screen 0 1024x768x24" "$SELF" "$@"
}

# a display for headless-gl, chosen once so that no run pays for an X server's start
if [ -z "${DISPLAY:-}" ] && ! have nvidia-smi nvidia-xconfig Xorg; then under_xvfb "$@"; fi
WORK=$(mktemp -d)
XORG_PID=
cleanup() {
  if [ -n "$XORG_PID" ]; then kill "$XORG_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 20 40); do [ -e "/tmp/.X11-unix/X$n" ] || break; done
  if nvidia-xconfig --allow-empty-initial-configuration --use-display-device=None --virtual=1024x768 \
    --output-xconfig="$WORK/xorg.conf" >"$WORK/xorg.log" 2>&1; then
    Xorg ":$n" -config "$WORK/xorg.conf" -noreset -nolisten tcp >>"$WORK/xorg.log" 2>&1 &
    XORG_PID=$!
    sleep 3
    kill -0 "$XORG_PID" 2>/dev/null || XORG_PID=
  fi
  if [ -z "$XORG_PID" ]; then
    echo "bench/gpu.sh: no Xorg on the NVIDIA driver (its log ends below); falling back to xvfb-run" >&2
    tail -5 "$WORK/xorg.log" >&2
    cleanup
    under_xvfb "$@"
  fi
  export DISPLAY=":$n"
fi

[ -f "$CLI" ] || { echo "bench/gpu.sh: $CLI missing: run npm run build first" >&2; exit 2; }

config_args() {
  local base=(-cell 100 100 100 90 90 90 -default_F 100 -distance 100 -lambda 6.2 -N 5 -mosflm)
  case "$1" in
    2048) echo "${base[*]} -detpixels 2048" ;;
    supervisor)
      [ -d "$REF/data" ] || { echo "bench/gpu.sh: supervisor needs $REF/data" >&2; exit 2; }
      echo "-mat $REF/data/A.mat -hkl $REF/data/scaled.hkl -nonoise -nointerpolate -oversample 1" \
        "-exposure 1 -flux 1e18 -beamsize 1.0 -spindle_axis -1 0 0 -Xbeam 217.742295 -Ybeam 213.907080" \
        "-distance 231.274660 -lambda 0.976800 -pixel 0.172 -detpixels_x 2463 -detpixels_y 2527" \
        "-odet_vector -0.000088 0.004914 -0.999988 -sdet_vector -0.005998 -0.999970 -0.004913" \
        "-fdet_vector 0.999982 -0.005998 -0.000118 -pix0_vector_mm -216.336293 215.205512 -230.200866" \
        "-beam_vector 0.00051387949 0.0 -0.99999986 -Na 36 -Nb 47 -Nc 29 -osc 0.1 -phi 0 -phisteps 10" \
        "-detector_rotx 0 -detector_roty 0 -detector_rotz 0 -twotheta 0" ;;
    *) echo "bench/gpu.sh: unknown configuration $1 (2048 or supervisor)" >&2; exit 2 ;;
  esac
}

# correlation over the ROI (-roi in the arguments) and worst relative error above 1e-3 of the maximum;
# prints one line and fails outside the bounds
compare() {
  node --input-type=module - "$@" <<'EOF'
import { readFileSync } from "node:fs";
const [refFile, portFile, fpixels, ...args] = process.argv.slice(2);
const read = (f) => { const b = readFileSync(f); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); };
const ref = read(refFile);
const port = read(portFile);
const fast = Number(fpixels);
const slow = ref.length / fast;
const at = args.indexOf("-roi");
const [x0, x1, y0, y1] = at >= 0 ? args.slice(at + 1, at + 5).map(Number) : [0, fast - 1, 0, slow - 1];
const pixels = [];
for (let y = Math.max(0, y0); y <= Math.min(slow - 1, y1); y++)
  for (let x = Math.max(0, x0); x <= Math.min(fast - 1, x1); x++) pixels.push(y * fast + x);
let max = 0, sr = 0, sp = 0;
for (const i of pixels) { max = Math.max(max, Math.abs(ref[i])); sr += ref[i]; sp += port[i]; }
const mr = sr / pixels.length, mp = sp / pixels.length;
let cov = 0, vr = 0, vp = 0, worst = 0;
for (const i of pixels) {
  cov += (ref[i] - mr) * (port[i] - mp); vr += (ref[i] - mr) ** 2; vp += (port[i] - mp) ** 2;
  if (Math.abs(ref[i]) > 1e-3 * max) worst = Math.max(worst, Math.abs(port[i] - ref[i]) / Math.abs(ref[i]));
}
const corr = cov / Math.sqrt(vr * vp);
const ok = corr >= 0.99999 && worst <= 1e-3;
console.log(`correlation ${corr.toFixed(9)}  worst rel. error ${worst.toExponential(2)}  ${ok ? "ok" : "FAIL"}`);
process.exitCode = ok ? 0 : 1;
EOF
}

failures=0
ts() { node "$CLI" "$@"; }

echo "== renderer"
probe=$(cd "$WORK" && ts -default_F 1 -cell 100 100 100 90 90 90 -N 1 -detpixels 4 -nonoise -nopgm \
  -floatfile probe.bin -backend gpu 2>&1 >/dev/null) || { echo "$probe"; exit 2; }
echo "${probe#nanoBragg: note: }   (DISPLAY=$DISPLAY)"
case "$probe" in
  *llvmpipe* | *softpipe* | *swrast* | *SwiftShader* | *software*)
    echo "   a software renderer: the GPU timings below are a smoke test of the path, not a GPU measurement" ;;
esac

echo "== correctness: GPU backend against the CPU backend"
if [ -f "$REF/manifest.json" ]; then
  mkdir -p "$WORK/corpus/cases"
  ln -s "$REF/data" "$WORK/corpus/data"
  while IFS=$'\t' read -r id fpixels args; do
    dir="$WORK/corpus/cases/$id"
    mkdir -p "$dir"
    read -ra argv <<<"$args"
    (cd "$dir" && ts "${argv[@]}" -nonoise -floatfile cpu.bin </dev/null >/dev/null 2>&1 &&
      ts "${argv[@]}" -nonoise -floatfile gpu.bin -backend gpu </dev/null >/dev/null 2>&1) ||
      { echo "$id: run failed"; failures=$((failures + 1)); continue; }
    printf '%-30s ' "$id"
    compare "$dir/cpu.bin" "$dir/gpu.bin" "$fpixels" "${argv[@]}" || failures=$((failures + 1))
  done < <(node -e '
    for (const c of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).cases)
      console.log([c.id, c.detector.fpixels, c.argv.join(" ")].join("\t"));' "$REF/manifest.json")
else
  echo "(no reference corpus at $REF: the timed configurations only)"
fi

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "bench/gpu.sh: failed: $*" >&2; return 1; }
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}

for config in "${CONFIGS[@]}"; do
  args=$(config_args "$config")
  read -ra argv <<<"$args"
  dir="$WORK/$config"
  mkdir -p "$dir"
  cd "$dir"
  gpu=() cpu=() c=()
  for run in $(seq "$RUNS"); do
    gpu+=("$(seconds ts "${argv[@]}" -floatfile gpu.bin -backend gpu)")
    cpu+=("$(seconds ts "${argv[@]}" -floatfile cpu.bin)")
    if [ -n "${NB_C_BIN:-}" ]; then c+=("$(seconds env OMP_NUM_THREADS=2 "$NB_C_BIN" "${argv[@]}" -floatfile c.bin)"); fi
    echo "   $config run $run/$RUNS: gpu ${gpu[-1]} s, cpu ${cpu[-1]} s${NB_C_BIN:+, C ${c[-1]} s}"
  done
  fpixels=$(node -e 'const b = require("fs").statSync("cpu.bin").size / 4; const a = process.argv.slice(1);
    const i = a.indexOf("-detpixels_x"); console.log(i >= 0 ? a[i + 1] : Math.sqrt(b));' -- "${argv[@]}")
  echo "== $config: GPU image against the CPU backend's"
  compare cpu.bin gpu.bin "$fpixels" "${argv[@]}" || failures=$((failures + 1))
  if [ -n "${NB_C_BIN:-}" ]; then
    echo "== $config: GPU image against the C's"
    compare c.bin gpu.bin "$fpixels" "${argv[@]}" || failures=$((failures + 1))
  fi
  g=$(printf '%s\n' "${gpu[@]}" | median)
  p=$(printf '%s\n' "${cpu[@]}" | median)
  echo "== $config: whole-run medians of $RUNS"
  echo "   -backend gpu  $g s"
  awk -v g="$g" -v p="$p" 'BEGIN { printf "   -backend cpu  %s s   (cpu / gpu = %.2f)\n", p, p / g }'
  if [ -n "${NB_C_BIN:-}" ]; then
    m=$(printf '%s\n' "${c[@]}" | median)
    awk -v g="$g" -v m="$m" 'BEGIN { printf "   C, 2 threads  %s s   (C / gpu = %.2f; target >= 20)\n", m, m / g }'
  fi
  cd "$ROOT"
done

[ "$failures" -eq 0 ] || { echo "bench/gpu.sh: $failures comparison(s) failed" >&2; exit 1; }
