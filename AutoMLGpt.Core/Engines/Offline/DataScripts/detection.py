# {{> DataScripts/header.py}}
import argparse
import random
from pathlib import Path

import torch
import torchvision.transforms.functional as TF
from pycocotools.coco import COCO
from PIL import Image

CLASSES = "{{CLASSES}}"
SCALES = "{{SCALES}}"  # multi-scale training, short side
MAX_SIZE = "{{MAX_SIZE}}"
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


class CocoDetection(torch.utils.data.Dataset):
    # COCO-format annotations (instances_*.json); boxes become normalised (cx, cy, w, h) as DETR expects.
    def __init__(self, images: Path, annotations: Path, train: bool):
        self.coco = COCO(str(annotations))
        self.images, self.train = images, train
        self.ids = [i for i in sorted(self.coco.imgs) if self.coco.getAnnIds(imgIds=i, iscrowd=False)] if train else sorted(self.coco.imgs)
        names = {c["id"]: c["name"] for c in self.coco.loadCats(self.coco.getCatIds())}
        if CLASSES:
            unknown = sorted(set(names.values()) - set(CLASSES))
            if unknown:
                raise SystemExit(f"categories not in the card's label space: {unknown[:10]}")
        self.cat_to_label = {cid: i for i, cid in enumerate(sorted(names))}

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, idx):
        image_id = self.ids[idx]
        info = self.coco.loadImgs(image_id)[0]
        img = Image.open(self.images / info["file_name"]).convert("RGB")
        anns = [a for a in self.coco.loadAnns(self.coco.getAnnIds(imgIds=image_id)) if not a.get("iscrowd", 0)]
        boxes = torch.tensor([a["bbox"] for a in anns], dtype=torch.float32).reshape(-1, 4)
        boxes[:, 2:] += boxes[:, :2]  # xywh -> xyxy
        w, h = img.size
        boxes[:, 0::2].clamp_(0, w)
        boxes[:, 1::2].clamp_(0, h)
        keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        labels = torch.tensor([self.cat_to_label[a["category_id"]] for a in anns], dtype=torch.int64)[keep]
        boxes = boxes[keep]
        if self.train and random.random() < 0.5:
            img = TF.hflip(img)
            boxes = boxes[:, [2, 1, 0, 3]] * torch.tensor([-1, 1, -1, 1]) + torch.tensor([w, 0, w, 0])
        size = random.choice(SCALES) if self.train else SCALES[-1]
        scale = min(size / min(w, h), MAX_SIZE / max(w, h))
        nw, nh = round(w * scale), round(h * scale)
        img = TF.normalize(TF.to_tensor(TF.resize(img, [nh, nw])), MEAN, STD)
        boxes = boxes * scale
        cxcywh = torch.stack([(boxes[:, 0] + boxes[:, 2]) / 2 / nw, (boxes[:, 1] + boxes[:, 3]) / 2 / nh,
                              (boxes[:, 2] - boxes[:, 0]) / nw, (boxes[:, 3] - boxes[:, 1]) / nh], dim=-1)
        return img, {"boxes": cxcywh, "labels": labels, "image_id": image_id, "orig_size": torch.tensor([h, w])}


def collate(batch):
    # Pad to the largest image in the batch and keep a mask of the padding, as DETR's NestedTensor does.
    images, targets = zip(*batch)
    H = max(i.shape[1] for i in images); W = max(i.shape[2] for i in images)
    padded = torch.zeros(len(images), 3, H, W)
    mask = torch.ones(len(images), H, W, dtype=torch.bool)
    for k, img in enumerate(images):
        padded[k, :, : img.shape[1], : img.shape[2]] = img
        mask[k, : img.shape[1], : img.shape[2]] = False
    return padded, mask, list(targets)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=Path, required=True)
    parser.add_argument("--annotations", type=Path, required=True)
    args = parser.parse_args()
    ds = CocoDetection(args.images, args.annotations, train=True)
    print(f"{len(ds)} training images with boxes, {len(ds.cat_to_label)} categories")
    loader = torch.utils.data.DataLoader(ds, batch_size=2, shuffle=True, collate_fn=collate, num_workers=4)
    images, mask, targets = next(iter(loader))
    print("batch", tuple(images.shape), "boxes per image", [len(t["boxes"]) for t in targets])


if __name__ == "__main__":
    main()
