# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/torch_common.py}}
import torch.nn as nn
import torchvision
from scipy.optimize import linear_sum_assignment
from torchvision.ops import box_convert, generalized_box_iou

NUM_CLASSES = "{{NUM_CLASSES}}"


class Detr(nn.Module):
    # DETR (Carion et al. 2020): CNN features, a transformer encoder-decoder, N object queries, set prediction.
    def __init__(self):
        super().__init__()
        d_model = int(hp("hidden_dim", 256))
        backbone = torchvision.models.resnet50(weights=None)
        self.backbone = nn.Sequential(*list(backbone.children())[:-2])
        self.project = nn.Conv2d(2048, d_model, kernel_size=1)
        self.transformer = nn.Transformer(d_model, int(hp("nheads", 8)), int(hp("enc_layers", 6)), int(hp("dec_layers", 6)),
                                          int(hp("dim_feedforward", 2048)), float(hp("dropout", 0.1)), batch_first=True)
        self.queries = nn.Parameter(torch.randn(int(hp("num_queries", 100)), d_model))
        self.row = nn.Parameter(torch.rand(64, d_model // 2))
        self.col = nn.Parameter(torch.rand(64, d_model // 2))
        self.classes = nn.Linear(d_model, NUM_CLASSES + 1)  # the last class is "no object"
        self.boxes = nn.Sequential(nn.Linear(d_model, d_model), nn.ReLU(), nn.Linear(d_model, d_model), nn.ReLU(), nn.Linear(d_model, 4))

    def forward(self, images):
        features = self.project(self.backbone(images))
        b, c, h, w = features.shape
        position = torch.cat([self.col[:w].unsqueeze(0).repeat(h, 1, 1), self.row[:h].unsqueeze(1).repeat(1, w, 1)], dim=-1)
        memory = features.flatten(2).transpose(1, 2) + position.flatten(0, 1).unsqueeze(0)
        decoded = self.transformer(memory, self.queries.unsqueeze(0).repeat(b, 1, 1))
        return self.classes(decoded), self.boxes(decoded).sigmoid()


def set_loss(outputs, targets, no_object_weight=0.1):
    # Hungarian matching on class probability, L1 and GIoU costs, then the matched losses (DETR's weights 1 / 5 / 2).
    logits, boxes = outputs
    weights = torch.ones(NUM_CLASSES + 1)
    weights[-1] = no_object_weight
    total = 0.0
    for i, target in enumerate(targets):
        prob = logits[i].softmax(-1)
        cost = (-prob[:, target["labels"]] + 5 * torch.cdist(boxes[i], target["boxes"], p=1)
                - 2 * generalized_box_iou(box_convert(boxes[i], "cxcywh", "xyxy"), box_convert(target["boxes"], "cxcywh", "xyxy")))
        rows, cols = linear_sum_assignment(cost.detach().numpy())
        labels = torch.full((logits.shape[1],), NUM_CLASSES, dtype=torch.int64)
        labels[rows] = target["labels"][cols]
        matched, truth = boxes[i][rows], target["boxes"][cols]
        total = total + F.cross_entropy(logits[i], labels, weight=weights)
        if len(rows):
            total = total + 5 * F.l1_loss(matched, truth) + 2 * (1 - torch.diag(generalized_box_iou(
                box_convert(matched, "cxcywh", "xyxy"), box_convert(truth, "cxcywh", "xyxy")))).mean()
    return total / len(targets)


def loss_of(model, batch):
    images, targets = batch
    return set_loss(model(images), targets)


def main():
    parser = argparse.ArgumentParser(description="Train DETR with stage C's hyperparameters.")
    parser.add_argument("--images", type=Path)
    parser.add_argument("--annotations", type=Path, help="COCO instances_*.json (data.py reads the same)")
    parser.add_argument("--dry-run", action="store_true", help="one step on a generated batch; no data needed")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    model = Detr()
    if args.dry_run:
        targets = [{"labels": torch.randint(0, NUM_CLASSES, (3,)), "boxes": torch.rand(3, 4) * 0.5 + 0.25} for _ in range(2)]
        return dry_run(model, (torch.randn(2, 3, 256, 256), targets), loss_of)
    if args.images is None or args.annotations is None:
        parser.error("--images and --annotations are required (or use --dry-run)")
    from data import CocoDetection, collate  # data.py's loader: the same resizing and box format
    loader = torch.utils.data.DataLoader(CocoDetection(args.images, args.annotations, train=True), batch_size=int(hp("batch_size", 2)),
                                         shuffle=True, collate_fn=collate, num_workers=4)
    optimizer = make_optimizer(model)
    drop = torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(hp("lr_drop_epoch", 200)), gamma=0.1)
    for epoch in range(int(hp("epochs", 300))):
        model.train()
        for images, _, targets in loader:
            loss = loss_of(model, (images, targets))
            step(model, optimizer, loss)
        drop.step()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}")
        torch.save(model.state_dict(), "detr.pt")


if __name__ == "__main__":
    main()
