
import pandas as pd

HYPERPARAMETERS = "{{HYPERPARAMETERS}}"


def load_splits(prepared: Path):
    # data.py wrote train/valid/test with the label as a column (class indices for classification).
    parts = []
    for name in ("train", "valid", "test"):
        path = prepared / f"{name}.pkl"
        if not path.exists():
            raise SystemExit(f"{path} not found: run data.py first (see README.md)")
        df = pd.read_pickle(path)
        parts.append((df.drop(columns=[LABEL]), df[LABEL].to_numpy()))
    return parts
