"""SAELens inference options that the upstream fixtures leave at their defaults, written by sae_lens itself.

Run with a venv holding sae-lens (6.54.12 was used):  python make_saelens_options.py OUTDIR
Writes OUTDIR/{topk_rescale,standard_constnorm,standard_layernorm}/ via SAE.save_model and
OUTDIR/probe_<name>.safetensors with x, feature_acts = sae.encode(x) and sae_out = sae(x), computed on
the SAE reloaded with SAE.load_from_disk. Random (untrained) weights: only the inference math matters.
"""
import sys, torch
from pathlib import Path
from safetensors.torch import save_file
from sae_lens import SAE, StandardSAE, StandardSAEConfig, TopKSAE, TopKSAEConfig
from sae_lens.saes.sae import SAEMetadata

torch.set_num_threads(1)
out = Path(sys.argv[1])
meta = SAEMetadata(model_name="synthetic-d32", hook_name="blocks.3.hook_resid_post")
d, m, k = 32, 128, 8

def randomize(sae, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sae.named_parameters():
            p.copy_(torch.randn(p.shape, generator=g) * (0.3 if p.ndim == 1 else 1 / d ** 0.5))
        # Decoder rows with norms in [0.5, 2] so rescale_acts_by_decoder_norm matters.
        sae.W_dec.mul_(torch.rand(m, 1, generator=g) * 1.5 + 0.5)
    return sae

def probe_x(sae, seed, topk):
    """16 rows whose top-k boundary (k-th minus k+1-th pre-act) is at least 1e-2 wide."""
    g = torch.Generator().manual_seed(seed)
    cand = torch.randn(400, d, generator=g) * 2 + 0.5
    if not topk:
        return cand[:16]
    with torch.no_grad():
        h = sae.process_sae_in(cand) @ sae.W_enc + sae.b_enc
        if sae.cfg.rescale_acts_by_decoder_norm:
            h = h * sae.W_dec.norm(dim=-1)
        v = h.sort(dim=-1, descending=True).values
        keep = (v[:, k - 1] - v[:, k]) >= 1e-2
    return cand[keep][:16]

cases = {
    "topk_rescale": lambda: TopKSAE(TopKSAEConfig(d_in=d, d_sae=m, k=k, rescale_acts_by_decoder_norm=True, metadata=meta)),
    "standard_constnorm": lambda: StandardSAE(StandardSAEConfig(d_in=d, d_sae=m, normalize_activations="constant_norm_rescale", metadata=meta)),
    "standard_layernorm": lambda: StandardSAE(StandardSAEConfig(d_in=d, d_sae=m, normalize_activations="layer_norm", metadata=meta)),
}
for i, (name, make) in enumerate(cases.items()):
    torch.manual_seed(100 + i)
    sae = randomize(make(), 100 + i)
    sae.save_model(out / name)
    sae = SAE.load_from_disk(out / name)
    x = probe_x(sae, 200 + i, name.startswith("topk")).contiguous()
    with torch.no_grad():
        acts = sae.encode(x)
        sae_out = sae(x)
    save_file({"x": x, "feature_acts": acts.contiguous(), "sae_out": sae_out.contiguous()}, out / f"probe_{name}.safetensors")
    print(name, "rows", x.shape[0], "active/row", (acts > 0).sum(-1).tolist())
