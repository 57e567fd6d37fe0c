"""The Qwen2.5-VL language model in plain torch ops (not transformers), for bench/qwen-vl.ts.

Reads the same checkpoint directory (config.json + safetensors, either key layout, F32/F16/BF16) and
times what the TypeScript bench times, on text-only tokens, batch 1: prefill (prompt → first token),
KV-cached decoding, and forward+backward of TRL's completion log-probs w.r.t. every LLM weight.
Usage: python3 torch_qwen2.py <model dir> <prompt> <new tokens> <completion> <runs>
Threads: QWEN_VL_TORCH_THREADS (default 1). Prints one JSON line.
"""
import json
import math
import os
import resource
import struct
import sys
import time

import numpy as np
import torch

torch.set_num_threads(int(os.environ.get("QWEN_VL_TORCH_THREADS", "1")))


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        out = {}
        for name, e in header.items():
            if name == "__metadata__":
                continue
            begin, end = e["data_offsets"]
            f.seek(base + begin)
            raw = f.read(end - begin)
            if e["dtype"] == "F32":
                a = np.frombuffer(raw, dtype="<f4")
            elif e["dtype"] == "F16":
                a = np.frombuffer(raw, dtype="<f2").astype(np.float32)
            elif e["dtype"] == "BF16":
                a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
            else:
                raise ValueError(f"{path}: {name} has dtype {e['dtype']}")
            out[name] = torch.from_numpy(a.copy()).reshape(e["shape"])
    return out


def load(model_dir):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    index = os.path.join(model_dir, "model.safetensors.index.json")
    files = sorted(set(json.load(open(index))["weight_map"].values())) if os.path.exists(index) else ["model.safetensors"]
    w = {}
    for f in files:
        for k, v in read_safetensors(os.path.join(model_dir, f)).items():
            k = k.replace("model.language_model.", "model.").replace("model.visual.", "visual.")
            if not k.startswith("visual."):
                w[k] = v.requires_grad_(True)
    return cfg, w


class Qwen2:
    def __init__(self, cfg, w):
        self.w = w
        self.D = cfg["hidden_size"]
        self.H = cfg["num_attention_heads"]
        self.KV = cfg["num_key_value_heads"]
        self.d = self.D // self.H
        self.layers = cfg["num_hidden_layers"]
        self.eps = cfg["rms_norm_eps"]
        self.section = cfg["rope_scaling"]["mrope_section"]
        self.tied = cfg.get("tie_word_embeddings", False)
        self.inv = 1.0 / (cfg.get("rope_theta", 1e6) ** (torch.arange(0, self.d, 2, dtype=torch.float32) / self.d))

    def norm(self, x, weight):
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))

    def rope(self, positions):
        # positions [3, L] (t, h, w); text-only tokens have the same value on all three axes.
        ang = positions[:, :, None].float() * self.inv[None, None, :]  # [3, L, d/2]
        emb = torch.cat([ang, ang], -1)  # [3, L, d]
        chunks = []
        start = 0
        for i, size in enumerate(self.section * 2):
            chunks.append(emb[i % 3, :, start : start + size])
            start += size
        emb = torch.cat(chunks, -1)
        return emb.cos(), emb.sin()

    @staticmethod
    def rotate_half(x):
        x1, x2 = x.chunk(2, -1)
        return torch.cat([-x2, x1], -1)

    def forward(self, ids, start, cache=None):
        w = self.w
        L = ids.shape[1]
        x = w["model.embed_tokens.weight"][ids]
        pos = torch.arange(start, start + L)[None].expand(3, L)
        cos, sin = self.rope(pos)
        total = start + L
        mask = torch.full((L, total), float("-inf")).triu(start + 1)
        for l in range(self.layers):
            p = f"model.layers.{l}."
            h = self.norm(x, w[p + "input_layernorm.weight"])
            q = (h @ w[p + "self_attn.q_proj.weight"].T + w[p + "self_attn.q_proj.bias"]).view(1, L, self.H, self.d).transpose(1, 2)
            k = (h @ w[p + "self_attn.k_proj.weight"].T + w[p + "self_attn.k_proj.bias"]).view(1, L, self.KV, self.d).transpose(1, 2)
            v = (h @ w[p + "self_attn.v_proj.weight"].T + w[p + "self_attn.v_proj.bias"]).view(1, L, self.KV, self.d).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            if cache is not None:
                if l in cache:
                    k = torch.cat([cache[l][0], k], 2)
                    v = torch.cat([cache[l][1], v], 2)
                cache[l] = (k, v)
            rep = self.H // self.KV
            kk = k.repeat_interleave(rep, 1)
            vv = v.repeat_interleave(rep, 1)
            att = (q @ kk.transpose(-1, -2)) / math.sqrt(self.d) + mask
            o = (att.softmax(-1) @ vv).transpose(1, 2).reshape(1, L, self.D)
            x = x + o @ w[p + "self_attn.o_proj.weight"].T
            h = self.norm(x, w[p + "post_attention_layernorm.weight"])
            g = torch.nn.functional.silu(h @ w[p + "mlp.gate_proj.weight"].T) * (h @ w[p + "mlp.up_proj.weight"].T)
            x = x + g @ w[p + "mlp.down_proj.weight"].T
        return self.norm(x, w["model.norm.weight"])

    def head(self, h):
        return h @ (self.w["model.embed_tokens.weight"] if self.tied else self.w["lm_head.weight"]).T


def best_ms(fn, runs):
    fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return min(samples)


def main():
    model_dir, prompt, new_tokens, completion, runs = sys.argv[1], *map(int, sys.argv[2:6])
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    cfg, w = load(model_dir)
    load_ms = (time.perf_counter() - t) * 1000
    load_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    m = Qwen2(cfg, w)
    V = cfg["vocab_size"]
    ids = torch.tensor([[(i * 7919 + 13) % min(V - 20, 150000) for i in range(prompt)]])

    def gen():
        # Timestamps at every step's logits, as the TypeScript bench takes them.
        with torch.no_grad():
            start = time.perf_counter()
            cache = {}
            h = m.forward(ids, 0, cache)
            tok = m.head(h[:, -1:]).argmax(-1)
            stamps = [time.perf_counter()]
            for step in range(new_tokens):
                h = m.forward(tok, prompt + step, cache)
                tok = m.head(h).argmax(-1)
                stamps.append(time.perf_counter())
        return (stamps[0] - start) * 1000, (stamps[-1] - stamps[0]) * 1000 / new_tokens

    gen()
    samples = [gen() for _ in range(runs)]
    prefill = min(p for p, _ in samples)
    decode = min(d for _, d in samples)

    def fwd_bwd():
        for p in w.values():
            p.grad = None
        h = m.forward(ids, 0)
        P = prompt - completion
        logits = m.head(h[:, P - 1 : prompt - 1])
        logps = logits.log_softmax(-1).gather(-1, ids[:, P:, None]).squeeze(-1)
        logps.sum().backward()

    fb = best_ms(fwd_bwd, runs)
    print(json.dumps({
        "backend": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "parameters": sum(p.numel() for p in w.values()), "loadMs": load_ms,
        "baselineRssMB": base_rss, "loadPeakRssMB": load_rss,
        "prefillMs": prefill, "prefillTokensPerSecond": prompt / prefill * 1000,
        "decodeMsPerToken": decode, "decodeTokensPerSecond": 1000 / decode, "fwdBwdMs": fb,
    }))


main()
