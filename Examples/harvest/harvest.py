#!/usr/bin/env python3
"""Harvest activations from a Hugging Face causal LM into seedscope's dataset format.

    python harvest.py --model HuggingFaceTB/SmolLM2-135M --layer 10 --text corpus.txt --out data/
    python harvest.py --model /path/to/dir --gguf model.Q4_1.gguf --layer 10 --site mlp --text corpus.txt --out data/
    python harvest.py --model ... --token-ids windows.safetensors --windows 0:4 --layer 10 --out data/

Writes OUT/activations.safetensors (`activations` [W*T, d] F16 or F32, row = window*T + position;
`tokens` [W, T] int32; `window_idx` [W] int64; __metadata__ with model, hookpoint, layer, site, ctx,
exclude_positions) and OUT/tokenizer.json (the model's tokenizer as transformers saves it), which
`seedscope inspect OUT` and `seedscope train` read directly.

Sites: `resid` = residual stream after decoder block L (the block's output, what sparsify calls
`layers.L`; equal to output_hidden_states[L+1]); `mlp` = output of block L's MLP (`layers.L.mlp`).
Each window is T tokens with the BOS id at position 0 followed by T-1 text tokens; position 0 is
listed in exclude_positions because BOS is an attention sink with huge norm.
"""
import argparse, json, os, sys, tempfile

import numpy as np
import torch
from safetensors.numpy import save_file, load_file
from transformers import AutoModelForCausalLM, AutoTokenizer


def find_blocks(model):
    """The list of decoder blocks for common architectures (Llama/Qwen/Mistral/Gemma, GPT-2, NeoX)."""
    for path in ("model.layers", "transformer.h", "gpt_neox.layers", "model.decoder.layers"):
        obj = model
        try:
            for part in path.split("."):
                obj = getattr(obj, part)
            return obj, path
        except AttributeError:
            continue
    sys.exit("harvest.py: cannot find the decoder blocks of this model (looked for model.layers, transformer.h, gpt_neox.layers)")


def load_token_windows(path, ctx):
    if path.endswith(".npy"):
        toks, widx = np.load(path), None
    else:
        d = load_file(path)
        if "tokens" not in d:
            sys.exit(f"harvest.py: {path}: no 'tokens' tensor")
        toks, widx = d["tokens"], d.get("window_idx")
    if toks.ndim == 1:
        toks = toks[: len(toks) // ctx * ctx].reshape(-1, ctx)
    return toks.astype(np.int64), (None if widx is None else widx.astype(np.int64))


def text_windows(tok, text, ctx, bos):
    ids = tok(text, add_special_tokens=False)["input_ids"]
    n = len(ids) // (ctx - 1)
    if n == 0:
        sys.exit(f"harvest.py: the text has only {len(ids)} tokens, fewer than one window of {ctx - 1}")
    body = np.asarray(ids[: n * (ctx - 1)], dtype=np.int64).reshape(n, ctx - 1)
    return np.concatenate([np.full((n, 1), bos, dtype=np.int64), body], axis=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--model", required=True, help="model id or local folder (with --gguf: the folder holding the GGUF file)")
    ap.add_argument("--gguf", help="GGUF file name inside --model (dequantized to float32 by transformers)")
    ap.add_argument("--layer", type=int, required=True, help="decoder block index L (0-based)")
    ap.add_argument("--site", choices=["resid", "mlp"], default="resid")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", help="UTF-8 text file to cut into windows")
    src.add_argument("--token-ids", help="token windows to re-harvest: .safetensors with 'tokens' [W,T] (and 'window_idx'), or .npy")
    ap.add_argument("--windows", help="A:B — only windows A..B-1 of the token windows")
    ap.add_argument("--ctx", type=int, default=128, help="tokens per window T, BOS included (default 128)")
    ap.add_argument("--bos-id", type=int, help="id at position 0 (default: the tokenizer's BOS, else EOS)")
    ap.add_argument("--max-windows", type=int, help="stop after this many windows")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--dtype", choices=["f16", "f32"], default="f16", help="stored activation dtype")
    ap.add_argument("--out", required=True, help="output folder")
    a = ap.parse_args()

    kw = {"gguf_file": a.gguf} if a.gguf else {}
    tok = AutoTokenizer.from_pretrained(a.model, **kw)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32, **kw).eval()

    widx = None
    if a.token_ids:
        toks, widx = load_token_windows(a.token_ids, a.ctx)
    else:
        bos = a.bos_id if a.bos_id is not None else (tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id)
        toks = text_windows(tok, open(a.text, encoding="utf-8").read(), a.ctx, bos)
    if widx is None:
        widx = np.arange(len(toks), dtype=np.int64)
    if a.windows:
        lo, hi = (int(x) for x in a.windows.split(":"))
        toks, widx = toks[lo:hi], widx[lo:hi]
    if a.max_windows:
        toks, widx = toks[: a.max_windows], widx[: a.max_windows]
    W, T = toks.shape
    vocab = len(tok)
    if toks.max() >= vocab or toks.min() < 0:
        sys.exit(f"harvest.py: token ids span {toks.min()}..{toks.max()} but the tokenizer has {vocab} ids")

    blocks, block_path = find_blocks(model)
    if not 0 <= a.layer < len(blocks):
        sys.exit(f"harvest.py: --layer {a.layer} out of range (the model has {len(blocks)} blocks)")
    target = blocks[a.layer] if a.site == "resid" else blocks[a.layer].mlp
    captured = []

    def hook(_module, _inputs, output):
        out = output[0] if isinstance(output, tuple) else output
        # For the last block this is the output *before* the final norm (hidden_states[-1] is after it).
        captured.append(out.detach().to(torch.float32).cpu())

    handle = target.register_forward_hook(hook)
    acts = []
    with torch.no_grad():
        for i in range(0, W, a.batch_size):
            captured.clear()
            batch = torch.from_numpy(toks[i : i + a.batch_size])
            model(input_ids=batch, attention_mask=torch.ones_like(batch), use_cache=False)
            acts.append(captured[0].reshape(-1, captured[0].shape[-1]).numpy())
            print(f"harvest.py: windows {i + len(batch)}/{W}", file=sys.stderr, end="\r")
    handle.remove()
    print(file=sys.stderr)
    X = np.concatenate(acts, axis=0)
    if not np.isfinite(X).all():
        sys.exit("harvest.py: the model produced NaN/Inf activations")
    if a.dtype == "f16" and np.abs(X).max() > 65504:
        sys.exit("harvest.py: activations exceed the float16 range; use --dtype f32")

    hookpoint = f"{block_path.split('.')[-1]}.{a.layer}" + (".mlp" if a.site == "mlp" else "")
    meta = {
        "model": a.model + (f" ({a.gguf}, dequantized to float32 by transformers)" if a.gguf else ""),
        "hookpoint": hookpoint + (" (residual stream after decoder block %d)" % a.layer if a.site == "resid" else " (MLP output of block %d)" % a.layer),
        "layer": str(a.layer), "site": a.site, "ctx": str(T), "d_model": str(X.shape[1]),
        "exclude_positions": "0 (position 0 is the BOS token, an attention sink)",
        "row_order": f"row = window*{T} + position",
        "source": a.token_ids or a.text,
        "harvested_by": "Examples/harvest/harvest.py (transformers %s, torch %s)" % (__import__("transformers").__version__, torch.__version__),
    }
    os.makedirs(a.out, exist_ok=True)
    tensors = {"activations": X.astype(np.float16 if a.dtype == "f16" else np.float32),
               "tokens": toks.astype(np.int32), "window_idx": widx.astype(np.int64)}
    tmp = os.path.join(a.out, ".activations.safetensors.tmp")
    save_file(tensors, tmp, metadata=meta)
    os.chmod(tmp, 0o644)  # safetensors creates the file owner-only
    os.replace(tmp, os.path.join(a.out, "activations.safetensors"))
    with tempfile.TemporaryDirectory() as td:
        tok.save_pretrained(td)
        with open(os.path.join(td, "tokenizer.json"), "rb") as f, open(os.path.join(a.out, "tokenizer.json"), "wb") as g:
            g.write(f.read())
    print(f"harvest.py: wrote {W} windows × {T} tokens × d={X.shape[1]} ({a.dtype}) at {hookpoint} to {a.out}")


if __name__ == "__main__":
    main()
