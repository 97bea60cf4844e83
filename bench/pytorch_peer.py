"""The PyTorch peer of `npm run bench`: the same workloads as bench/workloads.ts, in the
form a PyTorch user would write them (NCHW, torch.optim), on the same real MNIST test
digits, batch sizes and thread count. Prints one JSON object per line:
{"workload": ..., "samples_per_s": ..., "steps": ...}, then {"done": true}.

Usage: python3 pytorch_peer.py --mnist <dir with the raw IDX files> --threads 2
       [--seconds 3] [--only digit-train,digit-forward,mlp-train] [--sgemm 2048]

With --sgemm N it first prints {"sgemm_gflops": ..., "n": N}: torch.mm of two NxN float32
matrices, the best of a few, as the machine's ceiling for this torch's BLAS.
"""
import argparse
import json
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('>I', data[:4])
    dims = magic & 0xFF
    shape = struct.unpack('>' + 'I' * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def digits(mnist_dir, count):
    images = read_idx(os.path.join(mnist_dir, 't10k-images-idx3-ubyte'))[:count]
    labels = read_idx(os.path.join(mnist_dir, 't10k-labels-idx1-ubyte'))[:count].long()
    return images.float().div(255).reshape(count, 1, 28, 28), labels


class DigitClassifier(nn.Module):
    """28x28x1 → conv 32 → pool → two branches (conv 64 → pool → conv 256) → concat → 1000 → 500 → 10."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.a1, self.a2 = nn.Conv2d(32, 64, 3, padding=1), nn.Conv2d(64, 256, 3, padding=1)
        self.b1, self.b2 = nn.Conv2d(32, 64, 3, padding=1), nn.Conv2d(64, 256, 3, padding=1)
        self.dense1, self.dense2, self.out = nn.Linear(7 * 7 * 512, 1000), nn.Linear(1000, 500), nn.Linear(500, 10)

    def forward(self, x):
        trunk = F.max_pool2d(F.relu(self.conv1(x)), 2)
        a = F.relu(self.a2(F.max_pool2d(F.relu(self.a1(trunk)), 2)))
        b = F.relu(self.b2(F.max_pool2d(F.relu(self.b1(trunk)), 2)))
        h = torch.flatten(torch.cat([a, b], 1), 1)
        return self.out(F.relu(self.dense2(F.relu(self.dense1(h)))))


def digit_train(mnist_dir):
    model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = digits(mnist_dir, 64)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        loss.item()
    return 64, step


def digit_forward(mnist_dir):
    model = DigitClassifier().eval()
    x, _ = digits(mnist_dir, 64)

    def step():
        with torch.no_grad():
            F.softmax(model(x), 1).argmax(1).tolist()
    return 64, step


def mlp_train(mnist_dir):
    """As samples/mlp: 784-30-10 sigmoid, quadratic cost, plain SGD at 3.0, batch 10."""
    model = nn.Sequential(nn.Linear(784, 30), nn.Sigmoid(), nn.Linear(30, 10), nn.Sigmoid())
    optimizer = torch.optim.SGD(model.parameters(), lr=3.0)
    x, labels = digits(mnist_dir, 10)
    x, y = x.reshape(10, 784), F.one_hot(labels, 10).float()

    def step():
        optimizer.zero_grad()
        loss = (model(x) - y).square().sum() / (2 * 10)
        loss.backward()
        optimizer.step()
    return 10, step


WORKLOADS = {'digit-train': digit_train, 'digit-forward': digit_forward, 'mlp-train': mlp_train}


def sgemm_gflops(n, seconds=1.5):
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = float('inf')
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        t = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


def measure(step, seconds):
    step()
    step()
    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < seconds:
        step()
        steps += 1
    return steps, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--mnist', required=True)
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--seconds', type=float, default=3.0)
    parser.add_argument('--only', default=','.join(WORKLOADS))
    parser.add_argument('--sgemm', type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    if args.sgemm:
        print(json.dumps({'sgemm_gflops': sgemm_gflops(args.sgemm), 'n': args.sgemm}), flush=True)
    for name in args.only.split(','):
        batch, step = WORKLOADS[name](args.mnist)
        steps, elapsed = measure(step, args.seconds)
        print(json.dumps({'workload': name, 'samples_per_s': steps * batch / elapsed, 'steps': steps}), flush=True)
    print(json.dumps({'done': True}), flush=True)


if __name__ == '__main__':
    sys.exit(main())
