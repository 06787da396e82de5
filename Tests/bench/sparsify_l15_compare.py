"""Train sparsify's own SparseCoder on exactly the split `seedscope train --heldout 0.1` uses and report
held-out FVU (sparsify's formula, float32, on the held-out windows' usable positions).

Recipe = the shared reference run: TopK k=32, m=4608, ScheduleFree(SignSGD) momentum 0.95, lr 1e-3,
batch 1024, b_dec = first-batch mean, decoder renormalised before each forward and parallel gradient
removed before each step, AuxK off; weights evaluated in ScheduleFree eval mode (the averaged x).
Usage: python sparsify_l15_compare.py ACTIVATIONS.safetensors STEPS [SEED]
"""
import os, sys, time, json
os.environ["SPARSIFY_DISABLE_TRITON"] = "1"
import torch
from safetensors.torch import load_file
from sparsify import SparseCoder, SparseCoderConfig
from sparsify.sign_sgd import SignSGD
from schedulefree import ScheduleFreeWrapper

path, steps = sys.argv[1], int(sys.argv[2])
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
torch.set_num_threads(2)
act = load_file(path)["activations"].float()
act = act.reshape(-1, 128, act.shape[-1]) if act.dim() == 2 else act  # rows = window*128 + position
W, T, d = act.shape
eval_windows = max(1, round(W * 0.1))
train = act[: W - eval_windows, 1:].reshape(-1, d)   # position 0 (attention sink) excluded
held = act[W - eval_windows :, 1:].reshape(-1, d)
torch.manual_seed(seed)
sae = SparseCoder(d, SparseCoderConfig(num_latents=4608, k=32), device="cpu", dtype=torch.float32)
opt = ScheduleFreeWrapper(SignSGD([{"params": sae.parameters(), "lr": 1e-3}]), momentum=0.95)
opt.train()
g = torch.Generator().manual_seed(42)
B, perm, pos = 1024, torch.randperm(len(train), generator=g), 0
t0 = time.perf_counter()
for step in range(steps):
    if pos + B > len(perm):
        perm, pos = torch.cat([perm[pos:], torch.randperm(len(train), generator=g)]), 0
    xb = train[perm[pos:pos + B]]; pos += B
    if step == 0:
        sae.b_dec.data = xb.mean(0)
    sae.set_decoder_norm_to_unit_norm()
    out = sae(xb)
    out.fvu.backward()
    sae.remove_gradient_parallel_to_decoder_directions()
    opt.step(); opt.zero_grad()
dt = time.perf_counter() - t0
opt.eval()
with torch.no_grad():
    err = 0.0
    for i in range(0, len(held), 1024):
        xb = held[i:i + 1024]
        err += (sae(xb).sae_out - xb).pow(2).sum().double().item()
    tv = (held.double() - held.double().mean(0)).pow(2).sum().item()
print(json.dumps({"steps": steps, "seed": seed, "train_rows": len(train), "heldout_rows": len(held),
                  "heldout_fvu": err / tv, "tokens_per_s": steps * B / dt}))
