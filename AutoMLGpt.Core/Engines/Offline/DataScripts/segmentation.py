# {{> DataScripts/header.py}}
import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image

CLASSES = "{{CLASSES}}"
PATCH = "{{SIZE_PX}}"
IGNORE_INDEX = 255  # pixels without a label


class SegmentationPairs(torch.utils.data.Dataset):
    # images/<name>.png|jpg with masks/<name>.png holding one class index per pixel.
    def __init__(self, root: Path, train: bool):
        self.images = sorted(p for p in (root / "images").iterdir() if p.suffix.lower() in {".png", ".jpg", ".jpeg"})
        self.masks = root / "masks"
        missing = [p.name for p in self.images if not (self.masks / (p.stem + ".png")).exists()]
        if missing:
            raise SystemExit(f"{len(missing)} images have no mask, e.g. {missing[:5]}")
        self.train = train

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        img = np.asarray(Image.open(self.images[i]).convert("RGB"), dtype=np.float32)
        mask = np.asarray(Image.open(self.masks / (self.images[i].stem + ".png")), dtype=np.int64)
        if CLASSES:
            bad = np.setdiff1d(np.unique(mask), [*range(len(CLASSES)), IGNORE_INDEX])
            if bad.size:
                raise ValueError(f"{self.images[i].name}: mask values {bad[:10]} outside 0..{len(CLASSES) - 1}")
        img = (img - img.mean()) / (img.std() + 1e-8)  # z-score per image (nnU-Net for non-CT data)
        img, mask = self.crop(img, mask)
        if self.train and np.random.rand() < 0.5:
            img, mask = img[:, ::-1], mask[:, ::-1]
        return torch.from_numpy(img.transpose(2, 0, 1).copy()), torch.from_numpy(mask.copy())

    def crop(self, img, mask):
        h, w = mask.shape
        ph, pw = max(PATCH - h, 0), max(PATCH - w, 0)
        if ph or pw:
            img = np.pad(img, ((0, ph), (0, pw), (0, 0)))
            mask = np.pad(mask, ((0, ph), (0, pw)), constant_values=IGNORE_INDEX)
        y = np.random.randint(0, mask.shape[0] - PATCH + 1) if self.train else 0
        x = np.random.randint(0, mask.shape[1] - PATCH + 1) if self.train else 0
        return img[y:y + PATCH, x:x + PATCH], mask[y:y + PATCH, x:x + PATCH]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args()
    ds = SegmentationPairs(args.root / "train", train=True)
    counts = np.zeros(max(len(CLASSES), 1) + 1, dtype=np.int64)
    for k in range(min(len(ds), 200)):
        _, m = ds[k]
        counts += np.bincount(m[m != IGNORE_INDEX].numpy().ravel(), minlength=len(counts))[: len(counts)]
    print(f"{len(ds)} training pairs; pixel share per class (first 200):", np.round(counts / counts.sum(), 4).tolist())


if __name__ == "__main__":
    main()
