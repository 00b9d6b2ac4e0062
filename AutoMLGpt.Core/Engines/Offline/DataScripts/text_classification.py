# {{> DataScripts/header.py}}
import argparse

from datasets import load_dataset
from transformers import AutoTokenizer

TEXT_COLUMN = "text"
LABEL_COLUMN = "{{LABEL}}"
CLASSES = "{{CLASSES}}"
MAX_LENGTH = "{{MAX_TOKENS}}"
SEED = 42


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", required=True, help=f"a CSV with columns {TEXT_COLUMN!r} and {LABEL_COLUMN!r}")
    parser.add_argument("--tokenizer", default="bert-base-uncased", help="a local path if offline")
    args = parser.parse_args()
    ds = load_dataset("csv", data_files=args.csv)["train"]
    ds = ds.filter(lambda r: r[TEXT_COLUMN] is not None and r[TEXT_COLUMN].strip() != "" and r[LABEL_COLUMN] is not None)
# {{#if REGRESSION}}
    ds = ds.map(lambda r: {"labels": float(r[LABEL_COLUMN])})
# {{#else}}
    classes = CLASSES or sorted(set(ds[LABEL_COLUMN]))
    to_id = {c: i for i, c in enumerate(classes)}
    unknown = set(map(str, ds[LABEL_COLUMN])) - set(to_id)
    if unknown:
        raise SystemExit(f"labels outside the card's label space: {sorted(unknown)[:10]}")
    ds = ds.map(lambda r: {"labels": to_id[str(r[LABEL_COLUMN])]})
# {{/if}}
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    ds = ds.map(lambda b: tokenizer(b[TEXT_COLUMN], truncation=True, max_length=MAX_LENGTH), batched=True)
    lengths = [len(x) for x in ds["input_ids"]]
    print(f"{len(ds)} texts; {sum(l >= MAX_LENGTH for l in lengths) / len(lengths):.1%} truncated at {MAX_LENGTH} tokens")
# {{#if CLASSIFICATION}}
    splits = ds.train_test_split(test_size=0.2, seed=SEED, stratify_by_column="labels")
# {{#else}}
    splits = ds.train_test_split(test_size=0.2, seed=SEED)
# {{/if}}
    held = splits["test"].train_test_split(test_size=0.5, seed=SEED)
    for name, part in [("train", splits["train"]), ("validation", held["train"]), ("test", held["test"])]:
        part.save_to_disk(f"prepared/{name}")
        print(name, len(part))


if __name__ == "__main__":
    main()
