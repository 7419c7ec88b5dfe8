"""Checks of the bundled trainer's pieces that need no data (run by tests/train/trainer-selftest.test.ts
and by scripts/gpu-check.sh): prints one JSON object; exit 1 when a check fails.

1. rel_shift gives entry (i, j) = (q_i + v) . W_R r_{i-j} for j <= i, against a direct gather.
2. The model is causal: changing token t changes no logits before t.
3. The LR schedule: 1e-7 -> peak over the warm-up, 10% of the peak at the last step.
4. Where scaled_dot_product_attention exists: the fused attention equals the explicit one, values and
   gradients (on the device given as argv[1], default cpu).
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

from gopher import Gopher, RelativeAttention, rel_shift, sinusoid_positions  # noqa: E402

device = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")
torch.manual_seed(0)
out = {"torch": torch.__version__, "device": str(device)}
ok = True

# 1. relative shift against a direct computation
b, h, t, dh = 2, 3, 7, 4
q = torch.randn(b, h, t, dh, dtype=torch.float64)
r = torch.randn(h, dh, t, dtype=torch.float64)  # column m <-> distance t-1-m
shifted = rel_shift(torch.matmul(q, r))
direct = torch.zeros(b, h, t, t, dtype=torch.float64)
for i in range(t):
    for j in range(i + 1):
        direct[:, :, i, j] = (q[:, :, i, :] * r[:, :, t - 1 - (i - j)]).sum(-1)
mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
out["rel_shift_max_err"] = float((shifted - direct)[..., mask].abs().max())
ok &= out["rel_shift_max_err"] < 1e-12

# 2. causality
model = Gopher(100, layers=2, heads=2, head_dim=8, d_model=16).double()
x = torch.randint(0, 100, (1, 12))
y = x.clone()
y[0, 8:] = (y[0, 8:] + 1) % 100
with torch.no_grad():
    diff = (model(x) - model(y))[0, :8].abs().max()
out["causal_leak"] = float(diff)
ok &= out["causal_leak"] == 0.0

# 3. LR schedule
sys.argv = sys.argv[:1]
import train  # noqa: E402

cfg = {"lr": 1e-3, "warmup": 10, "steps": 100}
lrs = [train.lr_at(s, cfg) for s in range(100)]
out["lr_first"], out["lr_peak"], out["lr_last"] = lrs[0], max(lrs), lrs[-1]
ok &= abs(lrs[9] - 1e-3) < 1e-12 and abs(lrs[-1] - 1e-4) < 1e-6 and lrs[0] < 2e-4 and all(a >= b for a, b in zip(lrs[10:], lrs[11:]))

# 4. fused attention == explicit attention
if hasattr(torch.nn.functional, "scaled_dot_product_attention"):
    torch.manual_seed(1)
    dtype = torch.float32
    a = RelativeAttention(32, 4, 8, fused=False).to(device, dtype)
    f = RelativeAttention(32, 4, 8, fused=True).to(device, dtype)
    f.load_state_dict(a.state_dict())
    with torch.no_grad():
        a.u.normal_(); a.v.normal_(); f.u.copy_(a.u); f.v.copy_(a.v)
    xin = torch.randn(2, 16, 32, device=device, dtype=dtype)
    pos = sinusoid_positions(16, 32, device, dtype)
    causal = torch.triu(torch.ones(16, 16, dtype=torch.bool, device=device), diagonal=1)
    ya, yf = a(xin, pos, causal), f(xin, pos, causal)
    ya.square().sum().backward()
    yf.square().sum().backward()
    out["fused_max_err"] = float((ya - yf).abs().max())
    out["fused_grad_max_err"] = max(float((pa.grad - pf.grad).abs().max()) for pa, pf in zip(a.parameters(), f.parameters()))
    ok &= out["fused_max_err"] < 1e-4 and out["fused_grad_max_err"] < 1e-3
else:
    out["fused"] = "scaled_dot_product_attention not in this torch; the explicit path is used"
out["ok"] = bool(ok)
print(json.dumps(out))
sys.exit(0 if ok else 1)
