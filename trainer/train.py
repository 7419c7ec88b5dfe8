"""massivetext's bundled trainer: trains a Gopher-family model on a massivetext plan.

Started by `massivetext train-runner` (or by hand); configuration comes from the JSON file named by
MASSIVETEXT_TRAIN_CONFIG, and every field can be overridden by an environment variable (see
CONTRACT.md). Speaks JSON lines on stdout: {"event": "start" | "step" | "checkpoint" | "done" | "error", ...}.
Exit codes: 0 finished, 2 configuration/environment error (do not restart), anything else a crash.

Recipe (Rae et al. 2021, Section 4 / Table 1): Adam, LR warm-up from 1e-7 over 1,500 steps, cosine decay
to 10% of the maximum by the last step, global-norm gradient clipping; bfloat16 autocast on CUDA.
"""
import hashlib
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def emit(event, **fields):
    sys.stdout.write(json.dumps({"event": event, **fields}) + "\n")
    sys.stdout.flush()


def fail(code, message, exit_code=2):
    emit("error", code=code, message=message)
    sys.exit(exit_code)


try:
    import numpy as np
    import torch
except ImportError as e:  # pragma: no cover - depends on the machine
    fail("no_torch", f"{sys.executable} cannot import {e.name}: install PyTorch and numpy for it (Debian: apt-get install python3-torch python3-numpy) or pass --python")

from gopher import Gopher, count_parameters, flops_per_token  # noqa: E402
from massivetext_plan import Plan  # noqa: E402

ENV_KEYS = {  # environment overrides (CONTRACT.md)
    "MASSIVETEXT_PLAN": ("plan", str), "MASSIVETEXT_RUN_DIR": ("run_dir", str), "MASSIVETEXT_MODEL": ("model", str),
    "MASSIVETEXT_STEPS": ("steps", int), "MASSIVETEXT_BATCH_SIZE": ("batch_size", int), "MASSIVETEXT_MICRO_BATCH": ("micro_batch", int),
    "MASSIVETEXT_SEQ_LEN": ("seq_len", int), "MASSIVETEXT_DEVICE": ("device", str), "MASSIVETEXT_RESUME_FROM": ("resume_from", str),
    "MASSIVETEXT_CHECKPOINT_EVERY": ("checkpoint_every", int), "MASSIVETEXT_LR": ("lr", float), "MASSIVETEXT_WARMUP": ("warmup", int),
    "MASSIVETEXT_THREADS": ("threads", int), "MASSIVETEXT_ATTENTION": ("attention", str), "MASSIVETEXT_SEED": ("seed", int), "MASSIVETEXT_EXIT_AFTER": ("exit_after", int),
    "RANK": ("rank", int), "WORLD_SIZE": ("world_size", int), "LOCAL_RANK": ("local_rank", int),
}


def load_config():
    cfg = {}
    path = os.environ.get("MASSIVETEXT_TRAIN_CONFIG")
    if path:
        with open(path) as f:
            cfg.update(json.load(f))
    for key, (name, typ) in ENV_KEYS.items():
        if os.environ.get(key, "") != "":
            cfg[name] = typ(os.environ[key])
    with open(os.path.join(HERE, "presets.json")) as f:
        presets = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    model = cfg.get("model", "smoke")
    if model not in presets:
        fail("unknown_model", f"unknown model preset {model!r}; known: {', '.join(presets)}")
    preset = dict(presets[model])
    preset.update(cfg.get("model_overrides") or {})
    for k in ("plan", "run_dir"):
        if not cfg.get(k):
            fail("bad_config", f"missing {k} (set MASSIVETEXT_TRAIN_CONFIG or MASSIVETEXT_{k.upper()})")
    cfg.setdefault("steps", preset["steps"])
    cfg.setdefault("batch_size", preset["batch"])
    cfg.setdefault("micro_batch", min(preset["micro_batch"], cfg["batch_size"]))
    cfg.setdefault("lr", preset["lr"])
    cfg.setdefault("clip", preset["clip"])
    cfg.setdefault("device", "auto")
    cfg.setdefault("checkpoint_every", 1000)
    cfg.setdefault("keep_checkpoints", 2)
    cfg.setdefault("seed", 1234)
    cfg.setdefault("tie_embeddings", True)
    cfg.setdefault("rank", 0)
    cfg.setdefault("world_size", 1)
    cfg.setdefault("local_rank", cfg["rank"])
    cfg.setdefault("attention", "auto")
    # The paper warms up over 1,500 steps; a run shorter than 10x that warms up over its first 10%.
    cfg.setdefault("warmup", max(1, min(preset["warmup"], cfg["steps"] // 10)))
    return cfg, preset, model


def lr_at(step, cfg):
    """LR for 0-based step: linear warm-up from 1e-7, then cosine to 10% of the maximum at the last step."""
    peak, warm, total = cfg["lr"], cfg["warmup"], cfg["steps"]
    if step < warm:
        return 1e-7 + (peak - 1e-7) * (step + 1) / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    return peak * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def pick_device(cfg):
    want = cfg["device"]
    if want == "cuda" and not torch.cuda.is_available():
        fail("no_cuda", "--device cuda but torch.cuda.is_available() is False")
    if want == "auto":
        want = "cuda" if torch.cuda.is_available() else "cpu"
    if want == "cuda":
        return torch.device("cuda", cfg["local_rank"] % max(1, torch.cuda.device_count()))
    if want != "cpu":
        fail("bad_device", f"unknown device {want!r} (auto, cpu or cuda)")
    return torch.device("cpu")


def save_checkpoint(cfg, model, opt, step, consumed, plan_id):
    """Writes checkpoints/step-NNNNNNNN.pt (+ .json) atomically, then prunes old ones (rank 0 only)."""
    ckdir = os.path.join(cfg["run_dir"], "checkpoints")
    os.makedirs(ckdir, exist_ok=True)
    base = os.path.join(ckdir, f"step-{step:08d}")
    state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "consumed_samples": consumed,
             "plan_id": plan_id, "config": {k: v for k, v in cfg.items() if k != "resume_from"}}
    for path, write in ((base + ".pt", lambda f: torch.save(state, f)),
                        (base + ".json", lambda f: f.write(json.dumps({"step": step, "consumed_samples": consumed, "plan_id": plan_id, "model": cfg["model"]}).encode()))):
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    dfd = os.open(ckdir, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    metas = sorted(n for n in os.listdir(ckdir) if n.startswith("step-") and n.endswith(".json"))
    for old in metas[:-cfg["keep_checkpoints"]]:
        for ext in (".json", ".pt"):
            try:
                os.remove(os.path.join(ckdir, old[:-5] + ext))
            except FileNotFoundError:
                pass
    return base + ".pt"


def main():
    cfg, preset, model_name = load_config()
    rank, world = cfg["rank"], cfg["world_size"]
    if cfg["batch_size"] % world:
        fail("bad_batch_size", f"global batch {cfg['batch_size']} does not divide by world size {world}")
    local_batch = cfg["batch_size"] // world
    micro = max(1, min(cfg["micro_batch"], local_batch))
    if local_batch % micro:
        fail("bad_batch_size", f"per-rank batch {local_batch} does not divide by micro batch {micro}")
    if cfg.get("threads"):
        torch.set_num_threads(cfg["threads"])
    device = pick_device(cfg)
    plan = Plan(cfg["plan"])
    seq_len = cfg.get("seq_len", plan.seq_len)
    if seq_len != plan.seq_len:
        fail("seq_len_mismatch", f"plan was built for seq len {plan.seq_len}, trainer asked for {seq_len}")
    if plan.samples < cfg["steps"] * cfg["batch_size"]:
        fail("plan_too_short", f"plan holds {plan.samples} samples, {cfg['steps']} steps x {cfg['batch_size']} need more")
    vocab = int(cfg.get("vocab_size") or plan.vocab_size or 32000)

    distributed = world > 1
    if distributed:
        import torch.distributed as dist
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    torch.manual_seed(cfg["seed"])
    fused = cfg["attention"] == "fused" or (cfg["attention"] == "auto" and device.type == "cuda")
    model = Gopher(vocab, preset["layers"], preset["heads"], preset["head_dim"], preset["d_model"],
                   tie_embeddings=cfg["tie_embeddings"], fused_attention=fused).to(device)
    params = count_parameters(model)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])  # Adam (paper Section 4); torch defaults for betas and eps
    start_step = 0
    if cfg.get("resume_from"):
        state = torch.load(cfg["resume_from"], map_location=device)
        if state["plan_id"] != plan.plan_id:
            fail("plan_mismatch", f"checkpoint {cfg['resume_from']} was trained on plan {state['plan_id']}, this plan is {plan.plan_id}")
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start_step = int(state["step"])
        if int(state["consumed_samples"]) != start_step * cfg["batch_size"]:
            fail("batch_changed", f"checkpoint consumed {state['consumed_samples']} samples in {start_step} steps; the global batch must stay {state['consumed_samples'] // max(1, start_step)}")
    train_model = model
    if distributed:
        train_model = torch.nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    amp = device.type == "cuda"
    fpt = flops_per_token(preset, vocab, seq_len)
    emit("start", pid=os.getpid(), model=model_name, parameters=params, device=str(device), dtype="bfloat16" if amp else "float32",
         torch=torch.__version__, vocab_size=vocab, seq_len=seq_len, batch_size=cfg["batch_size"], micro_batch=micro,
         steps=cfg["steps"], start_step=start_step, warmup=cfg["warmup"], lr=cfg["lr"], plan_id=plan.plan_id,
         rank=rank, world_size=world, flops_per_token=fpt, attention="fused" if fused else "math",
         threads=torch.get_num_threads())
    tokens_per_step = cfg["batch_size"] * seq_len
    last = time.perf_counter()
    exit_after = cfg.get("exit_after")
    for step in range(start_step, cfg["steps"]):
        lr = lr_at(step, cfg)
        for g in opt.param_groups:
            g["lr"] = lr
        start, end = plan.rank_range(step, cfg["batch_size"], rank, world)
        batch = plan.rank_batch(step, cfg["batch_size"], rank, world)
        digest = hashlib.sha256(batch.astype("<u4").tobytes()).hexdigest()[:16]
        data = torch.from_numpy(batch).to(device, non_blocking=True)
        opt.zero_grad(set_to_none=True)
        total_loss = 0.0
        n_micro = local_batch // micro
        for i in range(n_micro):
            chunk = data[i * micro:(i + 1) * micro]
            sync_ctx = train_model.no_sync() if distributed and i < n_micro - 1 else _null()
            with sync_ctx:
                with torch.autocast("cuda", dtype=torch.bfloat16) if amp else _null():
                    logits = train_model(chunk[:, :-1])
                loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), chunk[:, 1:].reshape(-1))
                (loss / n_micro).backward()
            total_loss += loss.detach()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
        opt.step()
        loss_value = float(total_loss) / n_micro
        if distributed:
            t = torch.tensor([loss_value], device=device)
            dist.all_reduce(t)
            loss_value = float(t) / world
        if not math.isfinite(loss_value):
            fail("loss_not_finite", f"loss became {loss_value} at step {step + 1}", exit_code=4)
        now = time.perf_counter()
        dt, last = now - last, now
        done = step + 1
        emit("step", step=done, loss=round(loss_value, 6), lr=lr, grad_norm=round(float(grad_norm), 6), step_time=round(dt, 4),
             tokens=done * tokens_per_step, consumed_samples=done * cfg["batch_size"], tokens_per_s=round(tokens_per_step / dt, 1),
             samples=[start, end], sample_hash=digest)
        if rank == 0 and (done % cfg["checkpoint_every"] == 0 or done == cfg["steps"]):
            path = save_checkpoint(cfg, model, opt, done, done * cfg["batch_size"], plan.plan_id)
            emit("checkpoint", step=done, consumed_samples=done * cfg["batch_size"], path=path)
        if exit_after and done >= exit_after and done < cfg["steps"]:
            emit("exit_after", step=done)  # test hook: stop as if killed, after this step
            os._exit(17)
    emit("done", step=cfg["steps"], consumed_samples=cfg["steps"] * cfg["batch_size"])


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


if __name__ == "__main__":
    main()
