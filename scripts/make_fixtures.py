#!/usr/bin/python3
"""Regenerates the ONNX test fixtures under src/test/resources/fixtures with Debian's PyTorch.

    apt-get install python3-torch python3-onnx     # then, from the repository root:
    /usr/bin/python3 scripts/make_fixtures.py

CI does not run this: the generated files are committed. Fixed seeds make the output deterministic
for one PyTorch version (Debian's 1.13). The digits MLP is trained on ../shared/data/digits.csv
(first 1500 rows; UCI digits, CC BY 4.0); so is the digits CNN. The Fashion-MNIST MLP 784-60-40-10 is
trained on the 60,000 training images of Debian's dataset-fashion-mnist (MIT licence, Zalando).

    /usr/bin/python3 scripts/make_fixtures.py robustness    # only the robustness fixtures
"""
import gzip
import os
import sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")
DIGITS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "digits.csv")
FASHION = "/usr/share/datasets/fashion-mnist"


def export(model, example, name, opset, dynamic_batch=True):
    model.eval()
    path = os.path.join(OUT, name)
    torch.onnx.export(model, example, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}} if dynamic_batch else None)
    print("wrote", path, os.path.getsize(path), "bytes")


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (x if self.short is None else self.short(x)))


class ResNet20(nn.Module):
    """He et al.'s CIFAR ResNet-20: 3 stages of 3 basic blocks, 16/32/64 channels, BN, global average pool."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        layers, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            for i in range(3):
                layers.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.layers(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def randomise_bn(model, gen):
    # Non-trivial running statistics, so that folding BatchNorm is actually exercised.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d) or isinstance(m, nn.BatchNorm1d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) * 0.5 + 0.75)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) * 0.5 + 0.75)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


class MixedOps(nn.Module):
    """Covers the less common converters: depthwise conv, dilation, PReLU, ReLU6/Clip, ceil-mode pools,
    asymmetric Pad, Concat, Slice with steps, Transpose, LeakyReLU, Tanh, Sigmoid, MatMul, Sub/Div."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 6, 3, 1, 1)
        self.dw = nn.Conv2d(6, 6, 3, 1, 2, dilation=2, groups=6)
        self.prelu = nn.PReLU(6)
        self.bn = nn.BatchNorm2d(6)
        self.c2 = nn.Conv2d(12, 4, 2, 2, 0)
        self.w = nn.Parameter(torch.randn(36, 10) * 0.2)
        self.fc = nn.Linear(10, 5)

    def forward(self, x):
        x = (x - 0.5) / 0.25
        a = self.prelu(self.c1(x))
        b = torch.clamp(self.bn(self.dw(a)), 0.0, 6.0)
        y = torch.cat([a, b], dim=1)
        y = F.pad(y, (0, 1, 1, 0))
        y = F.max_pool2d(y, 3, 2, 1, ceil_mode=True)
        y = F.leaky_relu(self.c2(y), 0.2)
        y = F.avg_pool2d(y, 2, 1, 1, ceil_mode=True, count_include_pad=False)
        y = y[:, :, ::2, :].transpose(2, 3)
        y = torch.tanh(y.flatten(1) @ self.w[: y.flatten(1).shape[1]])
        return torch.sigmoid(self.fc(y)) * 2 - 1


def digits_data():
    data = np.loadtxt(DIGITS, delimiter=",", skiprows=0 if open(DIGITS).read(1).isdigit() else 1)
    return data[:, 1:] / 16.0, data[:, 0].astype(np.int64)


def digits_mlp():
    xs, ys = digits_data()
    x = torch.tensor(xs[:1500], dtype=torch.float32)
    y = torch.tensor(ys[:1500])
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 10),
                          nn.LogSoftmax(dim=1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(200):
        opt.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        opt.step()
    test = torch.tensor(xs[1500:], dtype=torch.float32)
    acc = (model(test).argmax(1).numpy() == ys[1500:]).mean()
    print("digits MLP test accuracy (last 297 rows): %.3f" % acc)
    return model




def digits_cnn():
    torch.manual_seed(1)
    xs, ys = digits_data()
    x = torch.tensor(xs[:1500], dtype=torch.float32).reshape(-1, 1, 8, 8)
    y = torch.tensor(ys[:1500])
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 4 * 4, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    for _ in range(300):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    test = torch.tensor(xs[1500:], dtype=torch.float32).reshape(-1, 1, 8, 8)
    acc = (model(test).argmax(1).numpy() == ys[1500:]).mean()
    print("digits CNN test accuracy (last 297 rows): %.3f" % acc)
    return model


def idx(name):
    with gzip.open(os.path.join(FASHION, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion_mlp():
    torch.manual_seed(2)
    x = torch.tensor(idx("train-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    y = torch.tensor(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    model = nn.Sequential(nn.Linear(784, 60), nn.ReLU(), nn.Linear(60, 40), nn.ReLU(), nn.Linear(40, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(10):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 100):
            b = perm[i:i + 100]
            opt.zero_grad()
            F.cross_entropy(model(x[b]), y[b]).backward()
            opt.step()
    tx = torch.tensor(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0, dtype=torch.float32)
    ty = idx("t10k-labels-idx1-ubyte.gz")
    print("Fashion-MNIST MLP test accuracy: %.4f" % (model(tx).argmax(1).numpy() == ty).mean())
    return model


# ---- issue 14: recurrent, gated and attention networks ----------------------------------------------

class LstmClassifier(nn.Module):
    """An LSTM over 5 steps of 8 features; the last hidden state feeds a 4-way linear classifier."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 12, batch_first=True)
        self.fc = nn.Linear(12, 4)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.fc(h[-1])


class Lstm2(nn.Module):
    """Two stacked LSTM layers (two ONNX LSTM ops), sequence-first inside, every output step returned."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 7, num_layers=2)

    def forward(self, x):
        y, _ = self.lstm(x.transpose(0, 1))
        return y.transpose(0, 1)


class BiGru(nn.Module):
    """A bidirectional GRU (linear_before_reset = 1, as PyTorch exports it); outputs and final states."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 8, batch_first=True, bidirectional=True)

    def forward(self, x):
        y, h = self.gru(x)
        return y.flatten(1), h.transpose(0, 1).flatten(1)


class Rnn2(nn.Module):
    """A 2-layer tanh RNN with a non-zero constant initial state."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(6, 9, num_layers=2, nonlinearity="tanh", batch_first=True)
        self.h0 = torch.linspace(-0.5, 0.5, 18).reshape(2, 1, 9)

    def forward(self, x):
        y, _ = self.rnn(x, self.h0.to(x.dtype).expand(-1, x.shape[0], -1).contiguous())
        return y


class SiluCnn(nn.Module):
    """A CNN with SiLU (x * sigmoid(x)) and HardSwish, average pooling and a linear head."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 4, 3, padding=1)
        self.c2 = nn.Conv2d(4, 6, 3, stride=2, padding=1)
        self.fc = nn.Linear(6 * 4 * 4, 5)

    def forward(self, x):
        x = F.silu(self.c1(x))
        x = F.hardswish(self.c2(x))
        return self.fc(x.flatten(1))


class GeluMlp(nn.Module):
    """An MLP with the exact (erf) GELU."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(10, 16)
        self.l2 = nn.Linear(16, 12)
        self.l3 = nn.Linear(12, 3)

    def forward(self, x):
        return self.l3(F.gelu(self.l2(F.gelu(self.l1(x)))))


class SelfAttention(nn.Module):
    """Single-head self-attention over 4 tokens of width 8: softmax(Q Kᵀ / √8) V, then a projection."""

    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 8)
        self.k = nn.Linear(8, 8)
        self.v = nn.Linear(8, 8)
        self.o = nn.Linear(8, 8)

    def forward(self, x):
        q, k, v = self.q(x), self.k(x), self.v(x)
        w = torch.softmax(q @ k.transpose(1, 2) / 8 ** 0.5, dim=-1)
        return self.o(w @ v)


class Encoder(nn.Module):
    """nn.TransformerEncoderLayer (2 heads, width 8, feed-forward 16, no dropout) over 3 tokens."""

    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)

    def forward(self, x):
        return self.layer(x)


def reference(model, shape, name, gen, count=100):
    """100 float32 inputs and the float64 PyTorch outputs for them, as .npy beside the model."""
    x = torch.rand((count,) + shape, generator=gen) * 2 - 1
    with torch.no_grad():
        y = model.double()(x.double())
    model.float()
    outs = y if isinstance(y, tuple) else (y,)
    base = os.path.join(OUT, name[:-5])
    np.save(base + ".inputs.npy", x.numpy().astype(np.float32))
    for i, o in enumerate(outs):
        np.save(base + ".expected%d.npy" % i, o.numpy().reshape(count, -1))


def recurrent():
    gen = torch.Generator().manual_seed(14)
    torch.manual_seed(14)
    encoder = Encoder()  # the opset-17 file is the same network as the opset-14 one
    nets = [(LstmClassifier(), (5, 8), "lstm-classifier-opset14.onnx", 14),
            (Lstm2(), (4, 5), "lstm2-opset14.onnx", 14),
            (BiGru(), (4, 6), "bigru-opset14.onnx", 14),
            (Rnn2(), (5, 6), "rnn2-opset14.onnx", 14),
            (SiluCnn(), (1, 8, 8), "silu-cnn-opset14.onnx", 14),
            (GeluMlp(), (10,), "gelu-mlp-opset14.onnx", 14),
            (SelfAttention(), (4, 8), "attention-opset14.onnx", 14),
            (encoder, (3, 8), "encoder-opset14.onnx", 14),
            (encoder, (3, 8), "encoder-opset17.onnx", 17)]
    for model, shape, name, opset in nets:
        model.eval()
        export(model, torch.rand((1,) + shape), name, opset)
        reference(model, shape, name, gen)


def robustness():
    export(digits_cnn(), torch.rand(1, 1, 8, 8), "digits-cnn-opset13.onnx", 13)
    export(fashion_mlp(), torch.rand(1, 784), "fashion-mlp-opset13.onnx", 13)


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    r = ResNet20()
    randomise_bn(r, gen)
    export(r, torch.rand(1, 3, 32, 32), "resnet20-cifar.onnx", 13)
    m = MixedOps()
    randomise_bn(m, gen)
    export(m, torch.rand(1, 2, 12, 12), "mixed-ops-opset11.onnx", 11)
    export(m, torch.rand(1, 2, 12, 12), "mixed-ops-opset17.onnx", 17)
    export(digits_mlp(), torch.rand(1, 64), "digits-mlp-opset9.onnx", 9)


if __name__ == "__main__":
    if sys.argv[1:] == ["robustness"]:
        robustness()
    elif sys.argv[1:] == ["recurrent"]:
        recurrent()
    else:
        main()
        robustness()
        recurrent()
