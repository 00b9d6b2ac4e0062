# {{> DataScripts/header.py}}
import argparse
from pathlib import Path

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

CLASSES = "{{CLASSES}}"
IMAGE_SIZE = "{{SIZE_PX}}"
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)  # ImageNet statistics, matching the pretrained weights

train_tf = transforms.Compose([
    transforms.RandomResizedCrop(IMAGE_SIZE, scale=(0.08, 1.0), interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.RandomHorizontalFlip(),
# {{#if STRONG_AUGMENT}}
    transforms.RandAugment(num_ops=2, magnitude=9),
# {{/if}}
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
# {{#if STRONG_AUGMENT}}
    transforms.RandomErasing(p=0.25),
# {{/if}}
])
eval_tf = transforms.Compose([
    transforms.Resize(int(IMAGE_SIZE / 0.875), interpolation=transforms.InterpolationMode.BICUBIC),
    transforms.CenterCrop(IMAGE_SIZE),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
])


def load(root: Path, split: str, tf):
    # Expects root/<split>/<class name>/<image>; class folders must match the data card's label space.
    ds = datasets.ImageFolder(root / split, transform=tf)
    if CLASSES and sorted(ds.classes) != sorted(CLASSES):
        missing = sorted(set(CLASSES) - set(ds.classes))
        extra = sorted(set(ds.classes) - set(CLASSES))
        raise SystemExit(f"class folders differ from the card: missing {missing[:10]}, unexpected {extra[:10]}")
    return ds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    train = load(args.root, "train", train_tf)
    valid = load(args.root, "val", eval_tf)
    counts = torch.bincount(torch.tensor(train.targets), minlength=len(train.classes))
    print(f"train {len(train)} images, val {len(valid)}; smallest class {counts.min().item()}, largest {counts.max().item()}")
    loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, num_workers=args.workers,
                        pin_memory=True, drop_last=True, persistent_workers=True)
    images, labels = next(iter(loader))
    print("batch", tuple(images.shape), "labels", labels[:8].tolist())


if __name__ == "__main__":
    main()
