"""GLIP (Swin v1 or ResNet (maskrcnn_benchmark bodies, FrozenBN) + FPN + BERT + VLDyHead + dot-product token head) in plain PyTorch, written from
/work/shared/reference/glip-architecture.md and the "Verified numerics" of /work/shared/fixtures/README.md.
Module and parameter names follow the official state_dict exactly, so `state_dict()` is an official checkpoint
(after adding the `module.` prefix). Tensors are NCHW as in the official code."""
import math

import torch
import torch.nn.functional as F
from torch import nn

CLAMP = 50000.0


# ------------------------------------------------------------------------------------------------ Swin v1

def window_partition(x, ws):
    """[B, H, W, C] -> [B*nW, ws*ws, C] (windows row-major, tokens row-major inside a window)."""
    b, h, w, c = x.shape
    x = x.view(b, h // ws, ws, w // ws, ws, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(-1, ws * ws, c)


def window_reverse(windows, ws, h, w):
    """[B*nW, ws*ws, C] -> [B, H, W, C]."""
    c = windows.shape[-1]
    b = windows.shape[0] // ((h // ws) * (w // ws))
    x = windows.view(b, h // ws, w // ws, ws, ws, c).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, w, c)


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class WindowAttention(nn.Module):
    def __init__(self, dim, ws, heads):
        super().__init__()
        self.ws = ws
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * ws - 1) ** 2, heads))
        coords = torch.stack(torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing='ij')).flatten(1)  # [2, M]
        rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0) + (ws - 1)  # [M, M, 2]
        self.register_buffer('relative_position_index', rel[..., 0] * (2 * ws - 1) + rel[..., 1])
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, mask):
        """x [B*nW, M, C]; mask [nW, M, M] (0 / -100) or None."""
        bw, m, c = x.shape
        qkv = self.qkv(x).view(bw, m, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = q @ k.transpose(-2, -1)  # [B*nW, heads, M, M]
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        attn = attn + bias.view(m, m, -1).permute(2, 0, 1)[None]
        if mask is not None:
            nw = mask.shape[0]
            attn = attn.view(bw // nw, nw, self.heads, m, m) + mask[None, :, None]
            attn = attn.view(bw, self.heads, m, m)
        out = (attn.softmax(-1) @ v).transpose(1, 2).reshape(bw, m, c)
        return self.proj(out)


class SwinBlock(nn.Module):
    def __init__(self, dim, heads, ws, shift, mlp_ratio):
        super().__init__()
        self.ws, self.shift = ws, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = WindowAttention(dim, ws, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x, h, w, mask):
        """x [B, H*W, C]"""
        b, _, c = x.shape
        ws = self.ws
        y = self.norm1(x).view(b, h, w, c)
        pad_b, pad_r = (ws - h % ws) % ws, (ws - w % ws) % ws
        y = F.pad(y, (0, 0, 0, pad_r, 0, pad_b))  # zeros after norm1
        hp, wp = h + pad_b, w + pad_r
        if self.shift:
            y = torch.roll(y, (-self.shift, -self.shift), dims=(1, 2))
        y = self.attn(window_partition(y, ws), mask if self.shift else None)
        y = window_reverse(y, ws, hp, wp)
        if self.shift:
            y = torch.roll(y, (self.shift, self.shift), dims=(1, 2))
        y = y[:, :h, :w].reshape(b, h * w, c)
        x = x + y
        return x + self.mlp(self.norm2(x))


class PatchMerging(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(4 * dim)
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)

    def forward(self, x, h, w):
        b, _, c = x.shape
        x = x.view(b, h, w, c)
        x = F.pad(x, (0, 0, 0, w % 2, 0, h % 2))
        x = torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 1::2]], -1)
        return self.reduction(self.norm(x.view(b, -1, 4 * c)))


def shift_mask(hp, wp, ws, shift, device):
    """[nW, M, M] with -100 between tokens of different regions of the padded, shifted map."""
    img = torch.zeros(1, hp, wp, 1, device=device)
    cnt = 0
    for hs in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
        for wsl in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
            img[:, hs, wsl] = cnt
            cnt += 1
    mw = window_partition(img, ws).squeeze(-1)  # [nW, M]
    diff = mw[:, None, :] - mw[:, :, None]
    return diff.masked_fill(diff != 0, -100.0).masked_fill(diff == 0, 0.0)


class BasicLayer(nn.Module):
    def __init__(self, dim, depth, heads, ws, mlp_ratio, downsample):
        super().__init__()
        self.ws = ws
        self.blocks = nn.ModuleList(
            [SwinBlock(dim, heads, ws, 0 if i % 2 == 0 else ws // 2, mlp_ratio) for i in range(depth)])
        self.downsample = PatchMerging(dim) if downsample else None

    def forward(self, x, h, w):
        ws = self.ws
        hp, wp = int(math.ceil(h / ws)) * ws, int(math.ceil(w / ws)) * ws
        mask = shift_mask(hp, wp, ws, ws // 2, x.device)
        for blk in self.blocks:
            x = blk(x, h, w, mask)
        if self.downsample is None:
            return x, x, h, w
        return x, self.downsample(x, h, w), (h + 1) // 2, (w + 1) // 2


class PatchEmbed(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, 4, 4)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        _, _, h, w = x.shape
        x = F.pad(x, (0, (4 - w % 4) % 4, 0, (4 - h % 4) % 4))
        x = self.proj(x)
        return x, self.norm(x.flatten(2).transpose(1, 2))


class SwinTransformer(nn.Module):
    """`backbone.body`: returns the stage outputs C2..C5 as NCHW (norm0 is the identity)."""

    def __init__(self, cfg):
        super().__init__()
        d = cfg.swin_embed_dim
        self.patch_embed = PatchEmbed(d)
        n = len(cfg.swin_depths)
        self.layers = nn.ModuleList([
            BasicLayer(d * 2 ** i, cfg.swin_depths[i], cfg.swin_num_heads[i], cfg.swin_window_size,
                       cfg.swin_mlp_ratio, downsample=i < n - 1) for i in range(n)])
        self.dims = [d * 2 ** i for i in range(n)]
        for i in range(1, n):
            self.add_module(f'norm{i}', nn.LayerNorm(self.dims[i]))

    def forward(self, x):
        proj, x = self.patch_embed(x)
        h, w = proj.shape[2], proj.shape[3]
        outs = []
        for i, layer in enumerate(self.layers):
            x_out, x, ho, wo = layer(x, h, w)
            if i > 0:
                x_out = getattr(self, f'norm{i}')(x_out)
            outs.append(x_out.view(-1, h, w, self.dims[i]).permute(0, 3, 1, 2).contiguous())
            h, w = ho, wo
        return outs


# ------------------------------------------------------------------------------------------------ ResNet

class FrozenBatchNorm2d(nn.Module):
    """maskrcnn_benchmark's FrozenBatchNorm2d: y = x·s + (bias − running_mean·s), s = weight·rsqrt(running_var), no
    eps. In training mode (train.py trains the body from scratch) it normalises with the batch statistics, with
    BN_EPS folded into the variance it tracks, so that the frozen formula afterwards is that BatchNorm's eval
    forward; weight and bias are then trained too (the official ones are frozen buffers, same names)."""
    BN_EPS = 1e-5
    MOMENTUM = 0.1

    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.register_buffer('running_mean', torch.zeros(c))
        self.register_buffer('running_var', torch.ones(c))

    def forward(self, x):
        if self.training:
            mean = x.mean((0, 2, 3))
            var = x.var((0, 2, 3), unbiased=False) + self.BN_EPS
            with torch.no_grad():
                self.running_mean.lerp_(mean, self.MOMENTUM)
                self.running_var.lerp_(var, self.MOMENTUM)
        else:
            mean, var = self.running_mean, self.running_var
        scale = self.weight * var.rsqrt()
        return x * scale[None, :, None, None] + (self.bias - mean * scale)[None, :, None, None]


class ResNetStem(nn.Module):
    """`body.stem`: conv1 7×7/2 (no bias) + bn1 + ReLU + max-pool 3×3/2: [B, 3, H, W] -> [B, stem, H/4, W/4]."""

    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(3, c, 7, 2, 3, bias=False)
        self.bn1 = FrozenBatchNorm2d(c)

    def forward(self, x):
        return F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)


class Bottleneck(nn.Module):
    """BottleneckWithFixedBatchNorm: 1×1 -> 3×3 -> 1×1 (+ FrozenBN each, ReLU after the first two) + identity or
    `downsample` (1×1 with the stride + FrozenBN) when the channels change; ReLU of the sum. The stride sits on
    the first 1×1 (STRIDE_IN_1X1) or on the 3×3."""

    def __init__(self, cin, width, cout, stride, stride_in_1x1):
        super().__init__()
        s1, s3 = (stride, 1) if stride_in_1x1 else (1, stride)
        self.conv1 = nn.Conv2d(cin, width, 1, s1, bias=False)
        self.bn1 = FrozenBatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, s3, 1, bias=False)
        self.bn2 = FrozenBatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, cout, 1, bias=False)
        self.bn3 = FrozenBatchNorm2d(cout)
        self.downsample = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), FrozenBatchNorm2d(cout))
                           if cin != cout else None)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class ResNet(nn.Module):
    """`backbone.body` (R-50/R-101 stage specs): [B, 3, H, W] -> C2..C5 [B, res2·2^i, H/s, W/s], s = 4, 8, 16, 32."""

    def __init__(self, cfg):
        super().__init__()
        self.stem = ResNetStem(cfg.resnet_stem_out_channels)
        cin = cfg.resnet_stem_out_channels
        for i, blocks in enumerate(cfg.resnet_stage_blocks):
            width = cfg.resnet_num_groups * cfg.resnet_width_per_group * 2 ** i
            cout = cfg.resnet_res2_out_channels * 2 ** i
            layer = []
            for b in range(blocks):
                layer.append(Bottleneck(cin, width, cout, 2 if b == 0 and i > 0 else 1, cfg.resnet_stride_in_1x1))
                cin = cout
            self.add_module(f'layer{i + 1}', nn.Sequential(*layer))

    def forward(self, x):
        x = self.stem(x)
        outs = []
        for i in range(4):
            x = getattr(self, f'layer{i + 1}')(x)
            outs.append(x)
        return outs


# ------------------------------------------------------------------------------------------------ FPN

class LastLevelP6P7(nn.Module):
    """P6 = 3×3/2 conv of P5 when its input has P5's channels (Swin here), else of C5 (the ResNet bodies, as
    upstream maskrcnn-benchmark's RETINANET USE_C5); P7 = 3×3/2 conv of ReLU(P6)."""

    def __init__(self, cin, c):
        super().__init__()
        self.p6 = nn.Conv2d(cin, c, 3, 2, 1)
        self.p7 = nn.Conv2d(c, c, 3, 2, 1)
        self.use_p5 = cin == c

    def forward(self, c5, p5):
        p6 = self.p6(p5 if self.use_p5 else c5)
        return [p6, self.p7(F.relu(p6))]


class FPN(nn.Module):
    """`backbone.fpn`: C3..C5 -> P3..P7 (P6 on P5, P7 on ReLU(P6))."""

    def __init__(self, in_channels, c, p6_in):
        super().__init__()
        for idx, cin in zip((2, 3, 4), in_channels):
            self.add_module(f'fpn_inner{idx}', nn.Conv2d(cin, c, 1))
            self.add_module(f'fpn_layer{idx}', nn.Conv2d(c, c, 3, 1, 1))
        self.top_blocks = LastLevelP6P7(p6_in, c)

    def forward(self, c3, c4, c5):
        last = self.fpn_inner4(c5)
        p5 = self.fpn_layer4(last)
        last = self.fpn_inner3(c4) + F.interpolate(last, size=c4.shape[-2:], mode='nearest')
        p4 = self.fpn_layer3(last)
        last = self.fpn_inner2(c3) + F.interpolate(last, size=c3.shape[-2:], mode='nearest')
        p3 = self.fpn_layer2(last)
        return [p3, p4, p5] + self.top_blocks(c5, p5)


class Backbone(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        if cfg.conv_body == 'SWINT-FPN-RETINANET':
            self.body = SwinTransformer(cfg)
            self.fpn = FPN(cfg.swin_out_channels[1:], cfg.fpn_channels, cfg.fpn_channels)
        else:
            self.body = ResNet(cfg)
            c = [cfg.resnet_res2_out_channels * 2 ** i for i in range(4)]
            self.fpn = FPN(c[1:], cfg.fpn_channels, c[3])

    def forward(self, images):
        c2, c3, c4, c5 = self.body(images)
        return self.fpn(c3, c4, c5), [c2, c3, c4, c5]


# ------------------------------------------------------------------------------------------------ BERT

class BertSelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)


class BertSelfOutput(nn.Module):
    def __init__(self, hidden, eps):
        super().__init__()
        self.dense = nn.Linear(hidden, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)


class BertAttention(nn.Module):
    def __init__(self, hidden, heads, eps):
        super().__init__()
        self.self = BertSelfAttention(hidden, heads)
        self.output = BertSelfOutput(hidden, eps)


class BertIntermediate(nn.Module):
    def __init__(self, hidden, inter):
        super().__init__()
        self.dense = nn.Linear(hidden, inter)


class BertOutput(nn.Module):
    def __init__(self, hidden, inter, eps):
        super().__init__()
        self.dense = nn.Linear(inter, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)


class BertLayer(nn.Module):
    """HF BertLayer. With clamp=True it is GLIP's head `BertEncoderLayer` (clamps ±50000 at 5 places)."""

    def __init__(self, dims, clamp):
        super().__init__()
        h = dims.hidden_size
        self.clamp = clamp
        self.attention = BertAttention(h, dims.num_attention_heads, dims.layer_norm_eps)
        self.intermediate = BertIntermediate(h, dims.intermediate_size)
        self.output = BertOutput(h, dims.intermediate_size, dims.layer_norm_eps)

    def _c(self, x):
        return x.clamp(-CLAMP, CLAMP) if self.clamp else x

    def forward(self, x, ext_mask):
        """x [B, T, H]; ext_mask [B, 1, 1, T] = (1 - m) * -10000."""
        sa = self.attention.self
        b, t, hdim = x.shape
        nh = sa.heads

        def split(y):
            return y.view(b, t, nh, hdim // nh).transpose(1, 2)

        q, k, v = split(sa.query(x)), split(sa.key(x)), split(sa.value(x))
        scores = self._c(q @ k.transpose(-1, -2) / math.sqrt(hdim // nh)) + ext_mask
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, hdim)
        attn_out = self.attention.output.LayerNorm(self.attention.output.dense(ctx) + x)
        inter = self._c(F.gelu(self._c(self.intermediate.dense(attn_out))))
        out = self._c(self.output.dense(inter))
        return self._c(self.output.LayerNorm(out + attn_out))


class BertEmbeddings(nn.Module):
    def __init__(self, dims):
        super().__init__()
        h = dims.hidden_size
        self.word_embeddings = nn.Embedding(dims.vocab_size, h, padding_idx=0)
        self.position_embeddings = nn.Embedding(dims.max_position_embeddings, h)
        self.token_type_embeddings = nn.Embedding(dims.type_vocab_size, h)
        self.LayerNorm = nn.LayerNorm(h, eps=dims.layer_norm_eps)
        self.register_buffer('position_ids', torch.arange(dims.max_position_embeddings)[None])

    def forward(self, ids):
        t = ids.shape[1]
        x = self.word_embeddings(ids) + self.position_embeddings(self.position_ids[:, :t]) \
            + self.token_type_embeddings(torch.zeros_like(ids))
        return self.LayerNorm(x)


class BertEncoder(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(dims, clamp=False) for _ in range(dims.num_hidden_layers)])


class BertModel(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.embeddings = BertEmbeddings(dims)
        self.encoder = BertEncoder(dims)

    def forward(self, ids, mask):
        ext = (1.0 - mask[:, None, None, :].float()) * -10000.0
        x = self.embeddings(ids)
        hidden = [x]
        for layer in self.encoder.layer:
            x = layer(x, ext)
            hidden.append(x)
        return hidden


class _LangBody(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.model = BertModel(dims)


class LanguageBackbone(nn.Module):
    """`language_backbone`: hidden = last BERT layer (unmasked)."""

    def __init__(self, dims):
        super().__init__()
        self.body = _LangBody(dims)

    def forward(self, ids, mask):
        return self.body.model(ids, mask)


# ------------------------------------------------------------------------------------------------ VLDyHead

class BiMultiHeadAttention(nn.Module):
    def __init__(self, v_dim, l_dim, embed_dim, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = embed_dim // heads
        self.scale = self.head_dim ** -0.5
        self.v_proj = nn.Linear(v_dim, embed_dim)
        self.l_proj = nn.Linear(l_dim, embed_dim)
        self.values_v_proj = nn.Linear(v_dim, embed_dim)
        self.values_l_proj = nn.Linear(l_dim, embed_dim)
        self.out_v_proj = nn.Linear(embed_dim, v_dim)
        self.out_l_proj = nn.Linear(embed_dim, l_dim)

    def forward(self, v, l, mask):
        """v [B, N, Cv], l [B, T, Cl], mask [B, T] 0/1 -> (dv [B, N, Cv], dl [B, T, Cl])."""
        b, n, _ = v.shape
        t = l.shape[1]
        nh, hd = self.heads, self.head_dim

        def split(y, length):
            return y.view(b, length, nh, hd).transpose(1, 2).reshape(b * nh, length, hd)

        q = split(self.v_proj(v) * self.scale, n)
        k = split(self.l_proj(l), t)
        vv = split(self.values_v_proj(v), n)
        vl = split(self.values_l_proj(l), t)
        a = (q @ k.transpose(1, 2)).clamp(-CLAMP, CLAMP)  # [B*nh, N, T]
        a_t = a.transpose(1, 2)
        a_l = (a_t - a_t.max(-1, keepdim=True)[0]).clamp(-CLAMP, CLAMP).softmax(-1)  # [B*nh, T, N], unmasked
        mask_add = mask.float().masked_fill(mask == 0, -9e15)  # valid tokens get +1, as the official code
        mask_add = mask_add[:, None, None, :].expand(b, nh, 1, t).reshape(b * nh, 1, t)
        a_v = (a + mask_add).softmax(-1)
        ov = (a_v @ vl).view(b, nh, n, hd).transpose(1, 2).reshape(b, n, nh * hd)
        ol = (a_l @ vv).view(b, nh, t, hd).transpose(1, 2).reshape(b, t, nh * hd)
        return self.out_v_proj(ov), self.out_l_proj(ol)


class BiAttentionBlock(nn.Module):
    def __init__(self, v_dim, l_dim, embed_dim, heads, init_gamma):
        super().__init__()
        self.layer_norm_v = nn.LayerNorm(v_dim)
        self.layer_norm_l = nn.LayerNorm(l_dim)
        self.attn = BiMultiHeadAttention(v_dim, l_dim, embed_dim, heads)
        self.gamma_v = nn.Parameter(init_gamma * torch.ones(v_dim))
        self.gamma_l = nn.Parameter(init_gamma * torch.ones(l_dim))

    def forward(self, v, l, mask):
        v = self.layer_norm_v(v)
        l = self.layer_norm_l(l)
        dv, dl = self.attn(v, l, mask)
        return v + self.gamma_v * dv, l + self.gamma_l * dl


class VLFuse(nn.Module):
    """Joint fusion over all levels (levels flattened row-major and concatenated P3..P7)."""

    def __init__(self, cfg):
        super().__init__()
        self.b_attn = BiAttentionBlock(cfg.joint_emb_size, cfg.lang_dim, cfg.fusion_embed_dim, cfg.fusion_heads,
                                       1.0 / cfg.dyhead_num_convs)

    def forward(self, visual, lang, mask):
        shapes = [f.shape for f in visual]
        v = torch.cat([f.flatten(2).transpose(1, 2) for f in visual], 1)
        v, lang = self.b_attn(v, lang, mask)
        out, start = [], 0
        for s in shapes:
            hw = s[2] * s[3]
            out.append(v[:, start:start + hw].transpose(1, 2).reshape(s))
            start += hw
        return out, lang


# kernel position k = 3 * ky + kx of a 3x3 window, as the offset channels 2k (dy) and 2k + 1 (dx) index it
KERNEL_Y = torch.tensor([0., 0, 0, 1, 1, 1, 2, 2, 2]).view(1, 9, 1, 1)
KERNEL_X = torch.tensor([0., 1, 2, 0, 1, 2, 0, 1, 2]).view(1, 9, 1, 1)


class ModulatedDeformConv(nn.Module):
    """3x3 modulated deformable conv (DCNv2, padding 1), official offset layout (2k = dy, 2k+1 = dx).

    Written as bilinear sampling (grid_sample, zero padding: the same value rule as DCN's, 0 outside (-1, H)) and
    one matmul, because torchvision's CPU deform_conv2d backward took a third of a training step. Against
    torchvision.ops.deform_conv2d: outputs and gradients within 4e-6 relative; the one difference is the offset
    gradient exactly at integer sampling points (a kink), where the normalised grid's rounding may pick the other
    one-sided derivative."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.stride = stride
        self.weight = nn.Parameter(torch.empty(c_out, c_in, 3, 3))
        self.bias = nn.Parameter(torch.zeros(c_out))
        nn.init.kaiming_uniform_(self.weight, a=1)

    def forward(self, x, offset, mask):
        # x [B, C, H, W]; offset [B, 18, Ho, Wo]; mask [B, 9, Ho, Wo] -> [B, C_out, Ho, Wo]
        b, c, h, w = x.shape
        ho, wo = offset.shape[2:]
        off = offset.view(b, 9, 2, ho, wo)
        ys = torch.arange(ho, dtype=x.dtype).view(1, 1, ho, 1) * self.stride - 1 + KERNEL_Y + off[:, :, 0]
        xs = torch.arange(wo, dtype=x.dtype).view(1, 1, 1, wo) * self.stride - 1 + KERNEL_X + off[:, :, 1]
        grid = torch.stack([(2 * xs + 1) / w - 1, (2 * ys + 1) / h - 1], -1).view(b, 9 * ho, wo, 2)
        sampled = F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
        cols = (sampled.view(b, c, 9, ho, wo) * mask.unsqueeze(1)).view(b, c * 9, ho * wo)
        out = self.weight.view(self.weight.shape[0], -1) @ cols + self.bias.view(1, -1, 1)
        return out.view(b, -1, ho, wo)


class Conv3x3Norm(nn.Module):
    def __init__(self, c, stride, groups):
        super().__init__()
        self.conv = ModulatedDeformConv(c, c, stride)
        self.bn = nn.GroupNorm(groups, c)

    def forward(self, x, offset, mask):
        return self.bn(self.conv(x, offset, mask))


class HSigmoid(nn.Module):
    def forward(self, x):
        return F.relu6(x + 3.0) / 6.0


class DYReLU(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.fc = nn.Sequential(nn.Linear(c, c // 4), nn.ReLU(inplace=True), nn.Linear(c // 4, 4 * c), HSigmoid())

    def forward(self, x):
        y = self.fc(x.mean((2, 3))).view(x.shape[0], 4 * self.c, 1, 1)
        a1, b1, a2, b2 = torch.split(y, self.c, dim=1)
        a1 = (a1 - 0.5) * 2.0 + 1.0
        a2 = (a2 - 0.5) * 2.0
        return torch.max(x * a1 + (b1 - 0.5), x * a2 + (b2 - 0.5))


def reinterpret(buf, h, w):
    """The t_up offset/mask quirk: [B, K, Hl, Wl] read as raw memory [B, K, h, w] (first K*h*w values)."""
    b, k = buf.shape[:2]
    return buf.reshape(b, -1)[:, :k * h * w].reshape(b, k, h, w)


class DyConv(nn.Module):
    def __init__(self, c, groups):
        super().__init__()
        self.DyConv = nn.ModuleList([Conv3x3Norm(c, 1, groups), Conv3x3Norm(c, 1, groups), Conv3x3Norm(c, 2, groups)])
        self.AttnConv = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, 1, 1), nn.ReLU(inplace=True))
        self.h_sigmoid = HSigmoid()
        self.relu = DYReLU(c)
        self.offset = nn.Conv2d(c, 27, 3, 1, 1)

    def forward(self, feats):
        out = []
        for lvl, f in enumerate(feats):
            om = self.offset(f)
            offset = om[:, :18]
            mask = om[:, 18:].sigmoid()
            terms = [self.DyConv[1](f, offset, mask)]
            if lvl > 0:
                terms.append(self.DyConv[2](feats[lvl - 1], offset, mask))
            if lvl < len(feats) - 1:
                nxt = feats[lvl + 1]
                h, w = nxt.shape[2], nxt.shape[3]
                up = self.DyConv[0](nxt, reinterpret(offset, h, w), reinterpret(mask, h, w))
                terms.append(F.interpolate(up, size=f.shape[-2:], mode='bilinear', align_corners=True))
            res = torch.stack(terms)
            attn = self.h_sigmoid(torch.stack([self.AttnConv(t) for t in terms]))
            out.append(self.relu((res * attn).mean(0)))
        return out


class Scale(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return x * self.scale


class VLDyHead(nn.Module):
    """`rpn.head`"""

    def __init__(self, cfg):
        super().__init__()
        c = cfg.dyhead_channels
        tower = []
        for _ in range(cfg.dyhead_num_convs):
            tower += [VLFuse(cfg), BertLayer(cfg.bert, clamp=True), DyConv(c, cfg.gn_groups)]
        self.dyhead_tower = nn.Sequential(*tower)
        self.cls_logits = nn.Conv2d(c, 80, 1)  # unused, kept for the official key set
        self.bbox_pred = nn.Conv2d(c, 4, 1)
        self.centerness = nn.Conv2d(c, 1, 1)
        self.dot_product_projection_text = nn.Linear(cfg.lang_dim, c)
        self.log_scale = nn.Parameter(torch.zeros(1))
        self.bias_lang = nn.Parameter(torch.zeros(cfg.lang_dim))
        self.bias0 = nn.Parameter(torch.full((1,), -math.log(99.0)))
        self.scales = nn.ModuleList([Scale() for _ in range(5)])

    def forward(self, visual, lang, mask, trace=None):
        for i in range(0, len(self.dyhead_tower), 3):
            visual, lang = self.dyhead_tower[i](visual, lang, mask)
            if trace is not None:
                trace[f'dyhead.{i // 3}.fuse'] = (visual, lang)
            lang = self.dyhead_tower[i + 1](lang, (1.0 - mask[:, None, None, :].float()) * -10000.0)
            if trace is not None:
                trace[f'dyhead.{i // 3}.bert'] = lang
            visual = self.dyhead_tower[i + 2](visual)
            if trace is not None:
                trace[f'dyhead.{i // 3}.dyconv'] = visual
        emb = F.normalize(lang, p=2, dim=-1)
        proj_tokens = self.dot_product_projection_text(emb / 2.0)  # [B, T, C]
        tok_bias = emb @ self.bias_lang + self.bias0  # [B, T]
        logits, bbox, ctr = [], [], []
        for lvl, x in enumerate(visual):
            bbox.append(self.scales[lvl](self.bbox_pred(x)))
            ctr.append(self.centerness(x))
            q = x.flatten(2).transpose(1, 2)  # [B, HW, C]
            logit = (q @ proj_tokens.transpose(1, 2)) / self.log_scale.exp() + tok_bias[:, None, :]
            logits.append(logit.clamp(-CLAMP, CLAMP))
        return logits, bbox, ctr


# ------------------------------------------------------------------------------------------------ anchors

def cell_anchor(stride, size):
    c = (stride - 1) / 2.0
    r = (size - 1) / 2.0
    return torch.tensor([[c - r, c - r, c + r, c + r]], dtype=torch.float32)


class AnchorGenerator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.strides = list(cfg.anchor_strides)
        self.cell_anchors = _BufferList([cell_anchor(s, z) for s, z in zip(cfg.anchor_strides, cfg.anchor_sizes)])

    def forward(self, sizes):
        """sizes: [(H_l, W_l)] -> list of [H_l*W_l, 4] xyxy, row-major."""
        out = []
        for (h, w), s, base in zip(sizes, self.strides, self.cell_anchors):
            ys, xs = torch.meshgrid(torch.arange(h) * s, torch.arange(w) * s, indexing='ij')
            shifts = torch.stack([xs, ys, xs, ys], -1).reshape(-1, 4).float()
            out.append(shifts + base)
        return out


class _BufferList(nn.Module):
    def __init__(self, tensors):
        super().__init__()
        for i, t in enumerate(tensors):
            self.register_buffer(str(i), t)

    def __iter__(self):
        return iter(self._buffers.values())


class VLDyHeadModule(nn.Module):
    """`rpn`"""

    def __init__(self, cfg):
        super().__init__()
        self.head = VLDyHead(cfg)
        self.anchor_generator = AnchorGenerator(cfg)


# ------------------------------------------------------------------------------------------------ GLIP

class GLIP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.backbone = Backbone(cfg)
        self.language_backbone = LanguageBackbone(cfg.bert)
        self.rpn = VLDyHeadModule(cfg)

    def forward(self, images, ids, mask, trace=None):
        """images [B, 3, H, W] (BGR, normalised, 32-padded); ids/mask [B, T].
        Returns (logits [B, A_l, T] per level, bbox_reg [B, 4, H_l, W_l], centerness [B, 1, H_l, W_l], anchors)."""
        feats, stages = self.backbone(images)
        lang_hidden = self.language_backbone(ids, mask)
        if trace is not None:
            trace['body'] = stages
            trace['fpn'] = feats
            trace['lang'] = lang_hidden
        logits, bbox, ctr = self.rpn.head(feats, lang_hidden[-1], mask, trace)
        anchors = self.rpn.anchor_generator([f.shape[-2:] for f in feats])
        return logits, bbox, ctr, anchors

    def official_state_dict(self):
        return {'module.' + k: v.detach().clone() for k, v in self.state_dict().items()}
