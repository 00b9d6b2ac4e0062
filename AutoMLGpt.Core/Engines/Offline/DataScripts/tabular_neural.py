# {{> DataScripts/header.py}}
import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder, QuantileTransformer

LABEL = "{{LABEL}}"
CLASSES = "{{CLASSES}}"
NUMERIC = "{{NUMERIC}}"
CATEGORICAL = "{{CATEGORICAL}}"
SEED = 42


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("prepared"))
    args = parser.parse_args()

    df = pd.read_csv(args.csv, na_values=["", "?", "NA"], skipinitialspace=True).dropna(subset=[LABEL])
    numeric = NUMERIC or [c for c in df.columns if c != LABEL and pd.api.types.is_numeric_dtype(df[c])]
    categorical = CATEGORICAL or [c for c in df.columns if c not in numeric + [LABEL]]
# {{#if CLASSIFICATION}}
    classes = CLASSES or sorted(df[LABEL].astype(str).str.strip().unique())
    y = df[LABEL].astype(str).str.strip().map({c: i for i, c in enumerate(classes)}).to_numpy("int64")
# {{#else}}
    y = pd.to_numeric(df[LABEL], errors="coerce").to_numpy("float32")
# {{/if}}
# {{#if CLASSIFICATION}}
    idx_train, idx_rest = train_test_split(np.arange(len(df)), test_size=0.30, random_state=SEED, stratify=y)
    idx_valid, idx_test = train_test_split(idx_rest, test_size=0.50, random_state=SEED, stratify=y[idx_rest])
# {{#else}}
    idx_train, idx_rest = train_test_split(np.arange(len(df)), test_size=0.30, random_state=SEED)
    idx_valid, idx_test = train_test_split(idx_rest, test_size=0.50, random_state=SEED)
# {{/if}}

    # Fit every transform on the training split only, then apply it to all three.
    numeric_tf = make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                               QuantileTransformer(output_distribution="normal", random_state=SEED))
    categorical_tf = make_pipeline(SimpleImputer(strategy="constant", fill_value="__missing__"),
                                   OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1))
    features = ColumnTransformer([("num", numeric_tf, numeric), ("cat", categorical_tf, categorical)])
    features.fit(df.iloc[idx_train])
    cardinalities = [len(c) + 1 for c in features.named_transformers_["cat"][-1].categories_] if categorical else []
    args.out.mkdir(parents=True, exist_ok=True)
# {{#if REGRESSION}}
    # Standardise the target on the training split; predictions are mapped back before scoring.
    mean, std = y[idx_train].mean(), y[idx_train].std() + 1e-8
    y = (y - mean) / std
    np.save(args.out / "target_scaler.npy", np.array([mean, std]))
# {{#else}}

# {{/if}}
    for name, idx in [("train", idx_train), ("valid", idx_valid), ("test", idx_test)]:
        X = features.transform(df.iloc[idx]).astype("float32")
        np.savez_compressed(args.out / f"{name}.npz", X=X, y=y[idx], n_numeric=X.shape[1] - len(cardinalities),
                            cardinalities=np.array(cardinalities, dtype=np.int64))
        print(f"{name}: {len(idx)} rows, {X.shape[1]} columns")


if __name__ == "__main__":
    main()
