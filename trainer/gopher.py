"""The Gopher architecture (Rae et al. 2021, arXiv 2112.11446, Section 3): a decoder-only Transformer with
pre-norm RMSNorm (Zhang & Sennrich 2019) instead of LayerNorm and Transformer-XL relative position
encodings (Dai et al. 2019; kimiyoung/transformer-xl pytorch/mem_transformer.py
RelPartialLearnableMultiHeadAttn), no segment memory. Feed-forward 4 * d_model with GELU. Input and
output embeddings tied by default (the paper's parameter counts match tied embeddings: see
../shared/design/train-runner.md section 4); untied is an option.

Runs on torch 1.13 (Debian's CPU build) and torch 2.x on CUDA; the fused attention path
(scaled_dot_product_attention with the relative-position term as an additive bias) is used only when
present and asked for.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return y.type_as(x) * self.weight


def sinusoid_positions(length, d, device, dtype=torch.float32):
    """r_p for distances length-1 ... 0, laid out [sin(p w), cos(p w)] with w_k = 10000^(-2k/d)."""
    pos = torch.arange(length - 1, -1, -1.0, device=device, dtype=torch.float32)
    inv_freq = 1.0 / (10000 ** (torch.arange(0.0, d, 2.0, device=device) / d))
    angles = torch.outer(pos, inv_freq)
    return torch.cat([angles.sin(), angles.cos()], dim=-1).to(dtype)


def rel_shift(x):
    """Transformer-XL's relative shift: column m (distance T-1-m) -> entry (i, j) at distance i-j (j <= i)."""
    b, h, t, k = x.shape
    pad = x.new_zeros(b, h, t, 1)
    x = torch.cat([pad, x], dim=-1).view(b, h, k + 1, t)
    return x[:, :, 1:].reshape(b, h, t, k)


class RelativeAttention(nn.Module):
    def __init__(self, d_model, heads, head_dim, fused=False):
        super().__init__()
        self.heads, self.head_dim = heads, head_dim
        self.qkv = nn.Linear(d_model, 3 * heads * head_dim, bias=False)
        self.r_proj = nn.Linear(d_model, heads * head_dim, bias=False)  # W_{k,R}
        self.out = nn.Linear(heads * head_dim, d_model, bias=False)
        self.u = nn.Parameter(torch.zeros(heads, head_dim))  # global content bias
        self.v = nn.Parameter(torch.zeros(heads, head_dim))  # global position bias
        self.fused = fused and hasattr(F, "scaled_dot_product_attention")

    def forward(self, x, pos_emb, causal_mask):
        b, t, _ = x.shape
        h, dh = self.heads, self.head_dim
        q, k, v = self.qkv(x).view(b, t, 3, h, dh).permute(2, 0, 3, 1, 4)  # each (b, h, t, dh)
        r = self.r_proj(pos_emb).view(t, h, dh).permute(1, 2, 0)  # (h, dh, t)
        scale = 1.0 / math.sqrt(dh)
        bd = rel_shift(torch.matmul(q + self.v[:, None, :], r))  # (q_i + v) . W_R r_{i-j}
        if self.fused:
            bias = (bd * scale).masked_fill(causal_mask, float("-inf"))
            y = F.scaled_dot_product_attention(q + self.u[:, None, :], k, v, attn_mask=bias.to(q.dtype))
        else:
            ac = torch.matmul(q + self.u[:, None, :], k.transpose(-1, -2))  # (q_i + u) . k_j
            scores = ((ac + bd) * scale).float().masked_fill(causal_mask, float("-inf"))
            y = torch.matmul(scores.softmax(-1).type_as(v), v)
        return self.out(y.transpose(1, 2).reshape(b, t, h * dh))


class Block(nn.Module):
    def __init__(self, d_model, heads, head_dim, fused=False):
        super().__init__()
        self.norm1 = RMSNorm(d_model)
        self.attn = RelativeAttention(d_model, heads, head_dim, fused)
        self.norm2 = RMSNorm(d_model)
        self.fc1 = nn.Linear(d_model, 4 * d_model, bias=False)
        self.fc2 = nn.Linear(4 * d_model, d_model, bias=False)

    def forward(self, x, pos_emb, causal_mask):
        x = x + self.attn(self.norm1(x), pos_emb, causal_mask)
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class Gopher(nn.Module):
    def __init__(self, vocab_size, layers, heads, head_dim, d_model, tie_embeddings=True, fused_attention=False):
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(vocab_size, d_model)
        self.blocks = nn.ModuleList([Block(d_model, heads, head_dim, fused_attention) for _ in range(layers)])
        self.norm = RMSNorm(d_model)
        self.unembed = None if tie_embeddings else nn.Linear(d_model, vocab_size, bias=False)
        self.apply(self._init)
        for blk in self.blocks:  # residual projections scaled by 1/sqrt(2L) (GPT-2)
            nn.init.normal_(blk.attn.out.weight, std=0.02 / math.sqrt(2 * layers))
            nn.init.normal_(blk.fc2.weight, std=0.02 / math.sqrt(2 * layers))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, tokens):
        t = tokens.shape[1]
        x = self.embed(tokens)
        pos_emb = sinusoid_positions(t, self.d_model, tokens.device, x.dtype)
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool, device=tokens.device), diagonal=1)
        for blk in self.blocks:
            x = blk(x, pos_emb, causal)
        x = self.norm(x)
        w = self.embed.weight if self.unembed is None else self.unembed.weight
        return F.linear(x, w)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


def flops_per_token(cfg, vocab_size, seq_len):
    """Training FLOPs per token: 6 x matmul parameters plus attention (PaLM appendix B: 12 L d T; the
    relative-position scores add another 6 L d T, and W_{k,R} r is per position, not per token)."""
    L, d = cfg["layers"], cfg["d_model"]
    hd = cfg["heads"] * cfg["head_dim"]
    dense = L * (3 * d * hd + hd * d + 8 * d * d) + vocab_size * d
    return 6 * dense + 18 * L * hd * seq_len
