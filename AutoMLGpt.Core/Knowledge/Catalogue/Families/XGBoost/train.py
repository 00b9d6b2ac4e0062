# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/tabular_common.py}}
# {{> Families/Shared/tree_splits.py}}
import xgboost as xgb

KNOWN = {"n_estimators", "learning_rate", "max_depth", "min_child_weight", "subsample", "colsample_bytree",
         "reg_lambda", "reg_alpha", "gamma", "max_bin", "tree_method", "max_leaves", "grow_policy"}


def make_model():
    params = {k: v for k, v in HYPERPARAMETERS.items() if k in KNOWN}
    params.setdefault("tree_method", "hist")
    stopping = int(HYPERPARAMETERS.get("early_stopping_rounds") or 0) or None
    common = dict(enable_categorical=True, random_state=SEED, early_stopping_rounds=stopping, **params)
    if TASK == "regression":
        return xgb.XGBRegressor(objective="reg:squarederror", eval_metric="rmse", **common)
    return xgb.XGBClassifier(eval_metric="logloss" if TASK == "binary" else "mlogloss", **common)


def main():
    parser = argparse.ArgumentParser(description="Train on data.py's splits and report the test metrics.")
    parser.add_argument("--prepared", type=Path, default=Path("prepared"))

    args = parser.parse_args()
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = load_splits(args.prepared)
    print(f"train {len(X_train)} rows, valid {len(X_valid)}, test {len(X_test)}; {X_train.shape[1]} features")
    model = make_model()
    model.fit(X_train, y_train, eval_set=[(X_valid, y_valid)], verbose=50)
    best = getattr(model, "best_iteration", None)
    if best is not None:
        print(f"best iteration on validation: {best}")
    predicted = model.predict(X_test) if TASK == "regression" else model.predict_proba(X_test)
    report(y_test, predicted)


if __name__ == "__main__":
    main()
