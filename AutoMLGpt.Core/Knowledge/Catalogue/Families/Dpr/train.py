# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/torch_common.py}}
# {{> Families/Shared/tiny_encoder.py}}

class BiEncoder(nn.Module):
    # DPR (Karpukhin et al. 2020): separate question and passage encoders; the [CLS] vectors are compared by dot product.
    def __init__(self, question, passage):
        super().__init__()
        self.question, self.passage = question, passage

    @staticmethod
    def cls(encoder, ids):
        out = encoder(ids)
        return (out.last_hidden_state if hasattr(out, "last_hidden_state") else out)[:, 0]

    def forward(self, questions, passages):
        return self.cls(self.question, questions) @ self.cls(self.passage, passages).T


def loss_of(model, batch):
    # In-batch negatives: each question's positive passage sits at its own index; every other passage is a negative.
    questions, passages = batch
    scores = model(questions, passages)
    return F.cross_entropy(scores, torch.arange(len(questions)))


def main():
    parser = argparse.ArgumentParser(description="Train the DPR retriever with stage C's hyperparameters.")
    parser.add_argument("--train", type=Path, help="DPR-format JSON (as data.py reads)")
    parser.add_argument("--checkpoint", default="bert-base-uncased", help="a local path if offline")
    parser.add_argument("--dry-run", action="store_true", help="one step on generated token ids; no data or checkpoint needed")
    args = parser.parse_args()
    torch.manual_seed(SEED)
    if args.dry_run:
        model = BiEncoder(TinyEncoder(), TinyEncoder())
        batch = (torch.randint(0, 1000, (4, 16)), torch.randint(0, 1000, (4, 48)))
        return dry_run(model, batch, loss_of)
    if args.train is None:
        parser.error("--train is required (or use --dry-run)")
    (question, tokenizer), (passage, _) = pretrained(args.checkpoint), pretrained(args.checkpoint)
    model = BiEncoder(question, passage)
    from data import load, to_example  # data.py's reader: the same positives and hard negatives
    import random
    rng = random.Random(SEED)
    examples = [to_example(row, rng) for row in load(args.train)]
    batch_size, epochs = int(hp("batch_size", 128)), int(hp("epochs", 40))
    optimizer = make_optimizer(model)
    schedule = make_schedule(optimizer, epochs * math.ceil(len(examples) / batch_size), int(hp("warmup_steps", 1237)))
    for epoch in range(epochs):
        rng.shuffle(examples)
        for start in range(0, len(examples), batch_size):
            chunk = examples[start:start + batch_size]
            q = tokenizer([e["question"] for e in chunk], padding=True, truncation=True, max_length=int(hp("max_question_length", 64)), return_tensors="pt")
            p = tokenizer([e["positive"] for e in chunk], padding=True, truncation=True, max_length=int(hp("max_seq_length", 256)), return_tensors="pt")
            loss = loss_of(model, (q["input_ids"], p["input_ids"]))
            step(model, optimizer, loss)
            schedule.step()
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
