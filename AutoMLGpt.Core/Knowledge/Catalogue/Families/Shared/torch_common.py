import argparse
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

HYPERPARAMETERS = "{{HYPERPARAMETERS}}"
SEED = 42


def hp(name, default):
    return HYPERPARAMETERS.get(name, default)


def make_optimizer(model):
    lr = float(hp("learning_rate", 1e-4))
    decay = float(hp("weight_decay", 0.0))
    if str(hp("optimizer", "adamw")).lower().startswith("sgd"):
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=decay, nesterov=True)
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=decay)


def make_schedule(optimizer, total_steps, warmup_steps):
    # Linear warm-up, then cosine decay to zero, stepped once per batch.
    def factor(step):
        if step < warmup_steps:
            return (step + 1) / max(1, warmup_steps)
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def step(model, optimizer, loss):
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    clip = float(hp("grad_clip", 0) or 0)
    if clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()


def dry_run(model, batch, loss_of):
    # One optimisation step on a tiny generated batch: proves the model, loss and optimiser fit together.
    torch.manual_seed(SEED)
    model.train()
    optimizer = make_optimizer(model)
    started = time.perf_counter()
    loss = loss_of(model, batch)
    step(model, optimizer, loss)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f"dry run: one training step, loss {loss.item():.4f}, {params:.1f} M parameters, {time.perf_counter() - started:.1f} s")
    if not math.isfinite(loss.item()):
        raise SystemExit("the loss is not finite")
    print("DRY RUN OK")
