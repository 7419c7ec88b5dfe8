#!/usr/bin/env bash
# GPU check for the bundled trainer: gopher-44m (Rae et al. 2021 Table 1: 8 layers, 16 heads x 32,
# d_model 512), seq 2048, batch 128 x 2048 = 0.25M tokens, a few hundred steps on CUDA + bf16.
# Prints tokens/s and model FLOPs utilisation. At most about 5 minutes on one H200 (not run in CI).
#
#   scripts/gpu-check.sh [DATA_DIR]      # token shards as `massivetext sample` writes them
# Without DATA_DIR it writes shards from the bundled real text (tests/train/fixture.ts, 32k vocabulary).
# Environment: STEPS (default 300; training stops after TIME_LIMIT=240 s and measures the steps done), PYTHON (default /usr/bin/python3 if it imports torch, else python3),
# GPU_PEAK_TFLOPS (default 989: H100/H200 SXM dense bf16), MICRO_BATCH (default the preset's 8).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS="${STEPS:-300}"
TIME_LIMIT="${TIME_LIMIT:-240}"   # seconds of training; the steps done by then are measured
MODEL="${MODEL:-gopher-44m}"   # MODEL=smoke DEVICE=cpu STEPS=5 is a dry run of this script on a CPU
DEVICE="${DEVICE:-cuda}"
PEAK="${GPU_PEAK_TFLOPS:-989}"
WORK="${GPU_CHECK_DIR:-$(mktemp -d /tmp/gpu-check.XXXXXX)}"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if /usr/bin/python3 -c 'import torch' 2>/dev/null; then PY=/usr/bin/python3; else PY=python3; fi
fi
"$PY" -c "import torch, numpy, sys; ok = '$DEVICE' == 'cpu' or torch.cuda.is_available(); print('torch', torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu'); sys.exit(0 if ok else 'no CUDA device')"
echo "== trainer self-test on $DEVICE (fused attention vs explicit)"
ATT=auto
if ! "$PY" trainer/selftest.py "$DEVICE"; then echo "fused attention disagrees: using the explicit path"; ATT=math; fi
[ -f dist/bin/massivetext.js ] || npx tsc -p tsconfig.json
DATA="${1:-}"
if [ -z "$DATA" ]; then
  DATA="$WORK/sample"
  npx tsx -e "import('./tests/train/fixture.ts').then(m => m.writeFixtureSample('$DATA', { vocabSize: 32000 }))"
fi
echo "== $MODEL, $STEPS steps on $DEVICE"
timeout --signal=INT "$TIME_LIMIT" env MASSIVETEXT_ATTENTION=$ATT ${MICRO_BATCH:+MASSIVETEXT_MICRO_BATCH=$MICRO_BATCH} node dist/bin/massivetext.js train-runner \
  --data "$DATA" --run-dir "$WORK/run" --model "$MODEL" --steps "$STEPS" --warmup 100 --device "$DEVICE" \
  --checkpoint-every "$STEPS" --python "$PY" --max-restarts 0 || echo "(stopped after ${TIME_LIMIT}s or failed: measuring the steps done)"
"$PY" - "$WORK/run/metrics.jsonl" "$PEAK" <<'PYEOF'
import json, statistics, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
start = next(e for e in ev if e["event"] == "start")
steps = [e for e in ev if e["event"] == "step"]
warm = steps[min(10, len(steps) // 4):]          # skip compilation/allocation warm-up
tps = statistics.median(e["tokens_per_s"] for e in warm)
mfu = tps * start["flops_per_token"] / (float(sys.argv[2]) * 1e12)
print(json.dumps({"model": start["model"], "parameters": start["parameters"], "device": start["device"], "attention": start["attention"],
                  "steps": len(steps), "median_step_s": statistics.median(e["step_time"] for e in warm), "tokens_per_s": round(tps),
                  "flops_per_token": start["flops_per_token"], "mfu": round(mfu, 4), "peak_tflops": float(sys.argv[2]),
                  "loss_first": steps[0]["loss"], "loss_last": steps[-1]["loss"]}))
PYEOF
