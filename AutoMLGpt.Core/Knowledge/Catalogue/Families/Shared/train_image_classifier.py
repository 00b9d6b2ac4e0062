# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/torch_common.py}}
import torchvision
from torchvision import datasets, transforms

NUM_CLASSES = "{{NUM_CLASSES}}"
ARCH = "{{ARCH}}"
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def build_model(image_size):
    # Random initialisation: nothing is downloaded. Load your own pretrained weights with --weights.
    if ARCH == "vit_b_16":
        return torchvision.models.vit_b_16(weights=None, num_classes=NUM_CLASSES, image_size=image_size)
    if ARCH == "swin_t":
        return torchvision.models.swin_t(weights=None, num_classes=NUM_CLASSES)
    return torchvision.models.resnet50(weights=None, num_classes=NUM_CLASSES)


def loss_of(model, batch):
    images, labels = batch
    return F.cross_entropy(model(images), labels, label_smoothing=float(hp("label_smoothing", 0.0)))


def loaders(root: Path, image_size, batch_size, workers):
    train_tf = transforms.Compose([transforms.RandomResizedCrop(image_size), transforms.RandomHorizontalFlip(),
                                   transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    eval_tf = transforms.Compose([transforms.Resize(int(image_size * 1.14)), transforms.CenterCrop(image_size),
                                  transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    train = datasets.ImageFolder(root / "train", transform=train_tf)
    valid = datasets.ImageFolder(root / "val", transform=eval_tf)
    if len(train.classes) != NUM_CLASSES:
        raise SystemExit(f"{len(train.classes)} class folders, but the data card has {NUM_CLASSES} classes")
    make = lambda ds, shuffle: torch.utils.data.DataLoader(ds, batch_size=batch_size, shuffle=shuffle, num_workers=workers, pin_memory=True)
    return make(train, True), make(valid, False)


@torch.no_grad()
def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    for images, labels in loader:
        predicted = model(images.to(device)).argmax(dim=1)
        correct += (predicted == labels.to(device)).sum().item()
        total += len(labels)
    return correct / max(1, total)


def main():
    parser = argparse.ArgumentParser(description="Train the image classifier of stage B with stage C's hyperparameters.")
    parser.add_argument("--root", type=Path, help="ImageFolder root with train/ and val/ (as data.py expects)")
    parser.add_argument("--weights", type=Path, help="a state_dict to start from (pretrained weights)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--dry-run", action="store_true", help="one step on a generated batch; no data needed")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    image_size = int(hp("image_size", 224))
    if args.dry_run:
        size = 64  # the full architecture on a tiny batch of small images: quick on a CPU, the same code path
        model = build_model(size)
        batch = (torch.randn(2, 3, size, size), torch.randint(0, NUM_CLASSES, (2,)))
        return dry_run(model, batch, loss_of)
    if args.root is None:
        parser.error("--root is required (or use --dry-run)")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = build_model(image_size)
    if args.weights:
        model.load_state_dict(torch.load(args.weights, map_location="cpu"), strict=False)
    model.to(device)
    batch_size = int(hp("per_gpu_batch_size", hp("batch_size", 64)))
    train, valid = loaders(args.root, image_size, batch_size, args.workers)
    epochs = int(hp("epochs", 100))
    optimizer = make_optimizer(model)
    schedule = make_schedule(optimizer, epochs * len(train), int(hp("warmup_epochs", 0)) * len(train))
    for epoch in range(epochs):
        model.train()
        for images, labels in train:
            loss = loss_of(model, (images.to(device), labels.to(device)))
            step(model, optimizer, loss)
            schedule.step()
        print(f"epoch {epoch + 1}/{epochs}: train loss {loss.item():.4f}, validation accuracy {evaluate(model, valid, device):.4f}")
    torch.save(model.state_dict(), "model.pt")


if __name__ == "__main__":
    main()
