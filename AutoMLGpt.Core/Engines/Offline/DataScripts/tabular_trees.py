# {{> DataScripts/header.py}}
import argparse
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

LABEL = "{{LABEL}}"
CLASSES = "{{CLASSES}}"
NUMERIC = "{{NUMERIC}}"
CATEGORICAL = "{{CATEGORICAL}}"
MISSING_MARKERS = ["", "?", "NA", "N/A", "null"]
SEED = 42


def load(csv_path: Path) -> pd.DataFrame:
    df = pd.read_csv(csv_path, na_values=MISSING_MARKERS, keep_default_na=True, skipinitialspace=True)
    if LABEL not in df.columns:
        raise SystemExit(f"label column {LABEL!r} not in {list(df.columns)}")
    before = len(df)
    df = df.dropna(subset=[LABEL])
    if len(df) < before:
        print(f"dropped {before - len(df)} rows without a label")
    return df


def feature_columns(df: pd.DataFrame) -> tuple[list[str], list[str]]:
    numeric = NUMERIC or [c for c in df.columns if c != LABEL and pd.api.types.is_numeric_dtype(df[c])]
    categorical = CATEGORICAL or [c for c in df.columns if c != LABEL and c not in numeric]
    unknown = [c for c in numeric + categorical if c not in df.columns]
    if unknown:
        raise SystemExit(f"columns from the data card not found: {unknown}")
    return numeric, categorical


def prepare(df: pd.DataFrame):
    numeric, categorical = feature_columns(df)
    X = df[numeric + categorical].copy()
    for c in numeric:
        # Unparseable numbers become NaN: {{LIB}} learns a default direction for missing values.
        X[c] = pd.to_numeric(X[c], errors="coerce")
    for c in categorical:
        X[c] = X[c].astype("string").str.strip().astype("category")
# {{#if CLASSIFICATION}}
    labels = df[LABEL].astype("string").str.strip().str.rstrip(".")
    classes = CLASSES or sorted(labels.unique())
    unknown = set(labels.unique()) - set(classes)
    if unknown:
        raise SystemExit(f"labels outside the card's label space: {sorted(unknown)[:10]}")
    y = labels.map({c: i for i, c in enumerate(classes)}).astype("int32")
    return X, y, classes
# {{#else}}
    y = pd.to_numeric(df[LABEL], errors="coerce")
    keep = y.notna()
    return X[keep], y[keep].astype("float32"), None
# {{/if}}


def split(X, y, stratify: bool):
    # 70 / 15 / 15, seeded; stratified so every class keeps its share in each split.
    X_train, X_rest, y_train, y_rest = train_test_split(
        X, y, test_size=0.30, random_state=SEED, stratify=y if stratify else None)
    X_valid, X_test, y_valid, y_test = train_test_split(
        X_rest, y_rest, test_size=0.50, random_state=SEED, stratify=y_rest if stratify else None)
    return (X_train, y_train), (X_valid, y_valid), (X_test, y_test)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("prepared"))
    args = parser.parse_args()

    df = load(args.csv)
    X, y, classes = prepare(df)
    print(f"{len(X)} rows, {X.shape[1]} features; missing cells per column:")
    print(X.isna().sum()[lambda s: s > 0].to_string() or "  none")
    if classes:
        print("class balance:", {c: int((y == i).sum()) for i, c in enumerate(classes)})
    parts = split(X, y, stratify=classes is not None)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (Xp, yp) in zip(["train", "valid", "test"], parts):
        # Pickle keeps the categorical dtypes train.py's gradient boosting reads natively.
        Xp.assign(**{LABEL: yp}).to_pickle(args.out / f"{name}.pkl")
        print(f"{name}: {len(Xp)} rows -> {args.out / f'{name}.pkl'}")


if __name__ == "__main__":
    main()
