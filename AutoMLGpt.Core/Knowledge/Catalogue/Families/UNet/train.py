# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/torch_common.py}}
import torch.nn as nn

NUM_CLASSES = "{{NUM_CLASSES}}"


def block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
                         nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class UNet(nn.Module):
    # Ronneberger et al. 2015: a contracting path, an expanding path and skip connections between them.
    def __init__(self):
        super().__init__()
        depth, base = int(hp("depth", 4)), int(hp("base_channels", 32))
        widths = [base * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList([block(3, widths[0])] + [block(widths[i], widths[i + 1]) for i in range(depth)])
        self.up = nn.ModuleList([nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in reversed(range(depth))])
        self.merge = nn.ModuleList([block(widths[i] * 2, widths[i]) for i in reversed(range(depth))])
        self.head = nn.Conv2d(widths[0], NUM_CLASSES, 1)

    def forward(self, x):
        skips = []
        for i, layer in enumerate(self.down):
            x = layer(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips[:-1])):
            x = merge(torch.cat([up(x), skip], dim=1))
        return self.head(x)


IGNORE_INDEX = 255  # data.py pads masks with it


def loss_of(model, batch):
    # Cross-entropy plus soft Dice over the classes, as nnU-Net trains; padded pixels count for neither.
    images, masks = batch
    logits = model(images)
    valid = (masks != IGNORE_INDEX).unsqueeze(1)
    probs = logits.softmax(1) * valid
    one_hot = F.one_hot(masks.where(valid.squeeze(1), torch.zeros_like(masks)), NUM_CLASSES).permute(0, 3, 1, 2).float() * valid
    dice = 1 - (2 * (probs * one_hot).sum((2, 3)) + 1) / (probs.sum((2, 3)) + one_hot.sum((2, 3)) + 1)
    return F.cross_entropy(logits, masks, ignore_index=IGNORE_INDEX) + dice.mean()


def main():
    parser = argparse.ArgumentParser(description="Train the U-Net with stage C's hyperparameters.")
    parser.add_argument("--root", type=Path, help="images/ and masks/ (as data.py expects)")
    parser.add_argument("--dry-run", action="store_true", help="one step on a generated batch; no data needed")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    model = UNet()
    if args.dry_run:
        return dry_run(model, (torch.randn(2, 3, 128, 128), torch.randint(0, NUM_CLASSES, (2, 128, 128))), loss_of)
    if args.root is None:
        parser.error("--root is required (or use --dry-run)")
    from data import SegmentationPairs  # data.py's dataset: the same pairing of images and masks
    loader = torch.utils.data.DataLoader(SegmentationPairs(args.root, train=True), batch_size=int(hp("batch_size", 8)), shuffle=True, num_workers=4)
    optimizer = make_optimizer(model)
    epochs = int(hp("epochs", 100))
    schedule = make_schedule(optimizer, epochs * len(loader), 0)
    for epoch in range(epochs):
        model.train()
        for images, masks in loader:
            loss = loss_of(model, (images, masks.long()))
            step(model, optimizer, loss)
            schedule.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}")
    torch.save(model.state_dict(), "unet.pt")


if __name__ == "__main__":
    main()
