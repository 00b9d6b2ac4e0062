# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/torch_common.py}}
# {{> Families/Shared/tiny_encoder.py}}

NUM_CLASSES = "{{NUM_CLASSES}}"
SPAN_QA = "{{SPAN_QA}}"


class Finetune(nn.Module):
    # BERT fine-tuning (Devlin et al. 2019): the encoder plus one linear head (class logits, or start/end logits for spans).
    def __init__(self, encoder, width):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(float(hp("dropout", 0.1)))
        self.head = nn.Linear(width, 2 if SPAN_QA else NUM_CLASSES)

    def forward(self, ids):
        out = self.encoder(ids)
        hidden = out.last_hidden_state if hasattr(out, "last_hidden_state") else out
        return self.head(self.dropout(hidden if SPAN_QA else hidden[:, 0]))


def loss_of(model, batch):
    ids, target = batch
    logits = model(ids)
    if SPAN_QA:
        start, end = logits.unbind(-1)
        return (F.cross_entropy(start, target[:, 0]) + F.cross_entropy(end, target[:, 1])) / 2
    return F.cross_entropy(logits, target)


def main():
    parser = argparse.ArgumentParser(description="Fine-tune the BERT-family model of stage B with stage C's hyperparameters.")
    parser.add_argument("--csv", type=Path, help="text and label columns (as data.py reads)")
    parser.add_argument("--checkpoint", default="bert-base-uncased", help="a local path if offline")
    parser.add_argument("--dry-run", action="store_true", help="one step on generated token ids; no data or checkpoint needed")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    if args.dry_run:
        encoder = TinyEncoder()
        ids = torch.randint(0, 1000, (4, 32))
        target = torch.randint(0, 32, (4, 2)).sort(dim=1).values if SPAN_QA else torch.randint(0, NUM_CLASSES, (4,))
        return dry_run(Finetune(encoder, encoder.width), (ids, target), loss_of)
    if args.csv is None:
        parser.error("--csv is required (or use --dry-run)")
    encoder, tokenizer = pretrained(args.checkpoint)
    model = Finetune(encoder, encoder.config.hidden_size)
    import pandas as pd
    frame = pd.read_csv(args.csv)
    texts, labels = frame.iloc[:, 0].astype(str).tolist(), torch.tensor(pd.factorize(frame.iloc[:, 1])[0])
    batch_size, epochs = int(hp("batch_size", 32)), int(hp("epochs", 3))
    optimizer = make_optimizer(model)
    total = epochs * math.ceil(len(texts) / batch_size)
    schedule = make_schedule(optimizer, total, int(float(hp("warmup_ratio", 0.1)) * total))
    for epoch in range(epochs):
        for start in range(0, len(texts), batch_size):
            ids = tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                            max_length=int(hp("max_seq_length", 128)), return_tensors="pt")["input_ids"]
            loss = loss_of(model, (ids, labels[start:start + batch_size]))
            step(model, optimizer, loss)
            schedule.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
