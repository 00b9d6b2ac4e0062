# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/tabular_common.py}}

from sklearn.compose import ColumnTransformer
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

HYPERPARAMETERS = "{{HYPERPARAMETERS}}"


def load_splits(prepared: Path):
    # data.py fitted its transforms on the training split and wrote arrays: numeric columns, then categorical codes.
    parts = []
    for name in ("train", "valid", "test"):
        path = prepared / f"{name}.npz"
        if not path.exists():
            raise SystemExit(f"{path} not found: run data.py first (see README.md)")
        z = np.load(path)
        parts.append((z["X"], z["y"], len(z["cardinalities"])))
    return parts


def make_model(width_of_input, categorical):
    # The categorical codes become one-hot columns (unknown codes are ignored); the numeric ones pass through.
    layers = int(HYPERPARAMETERS.get("num_layers", 3))
    width = int(HYPERPARAMETERS.get("hidden_size", 256))
    codes = list(range(width_of_input - categorical, width_of_input))
    features = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), codes)], remainder="passthrough")
    common = dict(hidden_layer_sizes=(width,) * layers, alpha=float(HYPERPARAMETERS.get("weight_decay", 1e-4)),
                  learning_rate_init=float(HYPERPARAMETERS.get("learning_rate", 1e-3)),
                  batch_size=int(HYPERPARAMETERS.get("batch_size", 256)), max_iter=int(HYPERPARAMETERS.get("epochs", 50)),
                  early_stopping=True, validation_fraction=0.15, n_iter_no_change=int(HYPERPARAMETERS.get("patience", 8)),
                  random_state=SEED)
    net = MLPRegressor(**common) if TASK == "regression" else MLPClassifier(**common)
    return make_pipeline(features, net) if codes else net


def main():
    parser = argparse.ArgumentParser(description="Train scikit-learn's MLP on data.py's arrays and report the test metrics.")
    parser.add_argument("--prepared", type=Path, default=Path("prepared"))
    args = parser.parse_args()
    (X_train, y_train, categorical), (X_valid, y_valid, _), (X_test, y_test, _) = load_splits(args.prepared)
    # scikit-learn's MLP holds out its own 15% for early stopping, so train and valid are fitted together.
    X_fit, y_fit = np.vstack([X_train, X_valid]), np.concatenate([y_train, y_valid])
    print(f"fit {len(X_fit)} rows, test {len(X_test)}; {X_fit.shape[1]} columns ({categorical} categorical); {{MODEL}}")
    model = make_model(X_fit.shape[1], categorical).fit(X_fit, y_fit)
    net = model[-1] if hasattr(model, "steps") else model
    print(f"stopped after {net.n_iter_} epochs")
    if TASK == "regression":
        # data.py standardised the target on the training split; score in the original units.
        mean, std = np.load(args.prepared / "target_scaler.npy")
        report(y_test * std + mean, model.predict(X_test) * std + mean)
    else:
        report(y_test, model.predict_proba(X_test))


if __name__ == "__main__":
    main()
