# {{> DataScripts/header.py}}
import argparse

from datasets import load_dataset
from transformers import AutoTokenizer

MAX_LENGTH = "{{MAX_TOKENS}}"
DOC_STRIDE = 128  # overlap between windows of long contexts (BERT's SQuAD setting)


def prepare_train(examples, tokenizer):
    enc = tokenizer([q.lstrip() for q in examples["question"]], examples["context"], truncation="only_second",
                    max_length=MAX_LENGTH, stride=DOC_STRIDE, return_overflowing_tokens=True,
                    return_offsets_mapping=True, padding="max_length")
    sample_map = enc.pop("overflow_to_sample_mapping")
    starts, ends = [], []
    for i, offsets in enumerate(enc["offset_mapping"]):
        answer = examples["answers"][sample_map[i]]
        a0 = answer["answer_start"][0]; a1 = a0 + len(answer["text"][0])
        seq = enc.sequence_ids(i)
        c0 = seq.index(1); c1 = len(seq) - 1 - seq[::-1].index(1)
        if offsets[c0][0] > a0 or offsets[c1][1] < a1:
            starts.append(0); ends.append(0)  # answer not in this window: point at [CLS]
            continue
        s = c0
        while s <= c1 and offsets[s][0] <= a0: s += 1
        e = c1
        while e >= c0 and offsets[e][1] >= a1: e -= 1
        starts.append(s - 1); ends.append(e + 1)
    enc["start_positions"], enc["end_positions"] = starts, ends
    enc.pop("offset_mapping")
    return enc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="a folder or JSON file in SQuAD format")
    parser.add_argument("--tokenizer", default="bert-base-uncased")
    args = parser.parse_args()
    raw = load_dataset("json", data_files=args.data, field="data")
    tokenizer = AutoTokenizer.from_pretrained(args.tokenizer)
    train = raw["train"].map(lambda b: prepare_train(b, tokenizer), batched=True, remove_columns=raw["train"].column_names)
    print(f"{len(raw['train'])} questions -> {len(train)} windows of {MAX_LENGTH} tokens")


if __name__ == "__main__":
    main()
