# {{> DataScripts/header.py}}
import argparse
import json
import random
from pathlib import Path

from transformers import BertTokenizerFast

MAX_PASSAGE_TOKENS = "{{MAX_TOKENS}}"
MAX_QUESTION_TOKENS = "{{MAX_QUESTION_TOKENS}}"
HARD_NEGATIVES = "{{HARD_NEGATIVES}}"  # BM25 negatives per question, besides the in-batch ones
SEED = 42


def load(path: Path):
    # DPR's training format: [{"question", "answers", "positive_ctxs", "hard_negative_ctxs", "negative_ctxs"}].
    with path.open(encoding="utf-8") as f:
        rows = json.load(f)
    kept = [r for r in rows if r.get("positive_ctxs")]
    print(f"{path.name}: {len(rows)} questions, {len(rows) - len(kept)} without a positive passage dropped")
    return kept


def to_example(row, rng):
    positive = row["positive_ctxs"][0]
    pool = row.get("hard_negative_ctxs") or row.get("negative_ctxs") or []
    negatives = rng.sample(pool, min(HARD_NEGATIVES, len(pool)))
    return {"question": row["question"].strip().rstrip("?") + "?", "answers": row["answers"],
            "passages": [positive] + negatives}


def encode(tokenizer, examples):
    questions = tokenizer([e["question"] for e in examples], max_length=MAX_QUESTION_TOKENS,
                          truncation=True, padding="longest", return_tensors="pt")
    passages = [p for e in examples for p in e["passages"]]
    ctx = tokenizer([p["title"] for p in passages], [p["text"] for p in passages], max_length=MAX_PASSAGE_TOKENS,
                    truncation="only_second", padding="longest", return_tensors="pt")
    return questions, ctx


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--tokenizer", default="bert-base-uncased", help="a local path if offline")
    args = parser.parse_args()
    rng = random.Random(SEED)
    tokenizer = BertTokenizerFast.from_pretrained(args.tokenizer)
    train = [to_example(r, rng) for r in load(args.train)]
    dev = [to_example(r, rng) for r in load(args.dev)]
    q, ctx = encode(tokenizer, train[:4])
    truncated = sum(len(tokenizer(p["title"], p["text"])["input_ids"]) > MAX_PASSAGE_TOKENS for e in train[:1000] for p in e["passages"])
    print(f"train {len(train)}, dev {len(dev)}; question batch {tuple(q['input_ids'].shape)}, passage batch {tuple(ctx['input_ids'].shape)}")
    print(f"passages truncated at {MAX_PASSAGE_TOKENS} tokens in the first 1000 questions: {truncated}")


if __name__ == "__main__":
    main()
