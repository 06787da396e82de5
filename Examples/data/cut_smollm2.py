#!/usr/bin/env python3
"""Cut the first W whole windows of a seedscope activation dataset (safetensors) into a smaller one.

Usage: python3 cut_smollm2.py SRC.safetensors DST.safetensors W
Needs only numpy. Keeps every tensor's dtype, the row order (row = window*ctx + position) and the
__metadata__ (plus a "cut" note); tensors with a leading window axis (`tokens` [W,T], `window_idx` [W])
are cut to W, `activations` [N,d] to W*ctx rows.
"""
import json, struct, sys
import numpy as np

src, dst, W = sys.argv[1], sys.argv[2], int(sys.argv[3])
raw = open(src, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__", {})
ctx = int(meta["ctx"])
DT = {"F16": np.float16, "F32": np.float32, "I32": np.int32, "I64": np.int64, "BF16": np.uint16}
out, offset = {}, 0
blobs = []
for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
    a, b = info["data_offsets"]
    arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=DT[info["dtype"]]).reshape(info["shape"])
    keep = W * ctx if name == "activations" and arr.ndim == 2 else W
    arr = np.ascontiguousarray(arr[:keep])
    blob = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
    out[name] = {"dtype": info["dtype"], "shape": list(arr.shape), "data_offsets": [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
meta["cut"] = f"first {W} of the windows in {src.split('/')[-2]}/activations.safetensors (Examples/data/cut_smollm2.py)"
h = json.dumps({"__metadata__": meta, **out}, ensure_ascii=False, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open(dst + ".tmp", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
import os; os.replace(dst + ".tmp", dst)
