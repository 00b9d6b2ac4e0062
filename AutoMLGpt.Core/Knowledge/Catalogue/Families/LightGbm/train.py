# {{> Families/Shared/train_header.py}}
# {{> Families/Shared/tabular_common.py}}
# {{> Families/Shared/tree_splits.py}}
KNOWN = {"num_iterations": "n_estimators", "learning_rate": "learning_rate", "num_leaves": "num_leaves",
         "min_data_in_leaf": "min_child_samples", "feature_fraction": "colsample_bytree",
         "bagging_fraction": "subsample", "lambda_l2": "reg_lambda", "lambda_l1": "reg_alpha",
         "max_bin": "max_bin", "extra_trees": "extra_trees", "max_depth": "max_depth"}
# scikit-learn's histogram gradient boosting (LightGBM's design) takes the same configuration where it has the knob.
SKLEARN = {"num_iterations": "max_iter", "learning_rate": "learning_rate", "num_leaves": "max_leaf_nodes",
           "min_data_in_leaf": "min_samples_leaf", "lambda_l2": "l2_regularization", "max_bin": "max_bins", "max_depth": "max_depth"}


def make_model(engine, categorical_mask):
    if engine == "lightgbm":
        import lightgbm as lgb
        params = {KNOWN[k]: v for k, v in HYPERPARAMETERS.items() if k in KNOWN}
        if params.get("subsample", 1.0) < 1.0:
            params["subsample_freq"] = 1  # LightGBM bags only when a frequency is set
        common = dict(random_state=SEED, verbose=-1, **params)
        return lgb.LGBMRegressor(**common) if TASK == "regression" else lgb.LGBMClassifier(**common)
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    params = {SKLEARN[k]: v for k, v in HYPERPARAMETERS.items() if k in SKLEARN}
    params["max_bins"] = min(int(params.get("max_bins", 255)), 255)
    unused = sorted(k for k in HYPERPARAMETERS if k in KNOWN and k not in SKLEARN and HYPERPARAMETERS[k] not in (1, 1.0, 0, False, "false"))
    if unused:
        print(f"scikit-learn has no equivalent of {unused}; they are not applied")
    stopping = int(HYPERPARAMETERS.get("early_stopping_rounds") or 0)
    common = dict(random_state=SEED, categorical_features=categorical_mask, early_stopping=bool(stopping),
                  n_iter_no_change=stopping or 10, **params)
    return HistGradientBoostingRegressor(**common) if TASK == "regression" else HistGradientBoostingClassifier(**common)


def main():
    parser = argparse.ArgumentParser(description="Train on data.py's splits and report the test metrics.")
    parser.add_argument("--prepared", type=Path, default=Path("prepared"))
    parser.add_argument("--engine", choices=["lightgbm", "sklearn"], default="lightgbm",
                        help="sklearn trains scikit-learn's HistGradientBoosting with the same configuration, where LightGBM is not installed")
    args = parser.parse_args()
    (X_train, y_train), (X_valid, y_valid), (X_test, y_test) = load_splits(args.prepared)
    print(f"train {len(X_train)} rows, valid {len(X_valid)}, test {len(X_test)}; {X_train.shape[1]} features")
    # scikit-learn takes at most 255 categories per feature; wider ones are used as their codes.
    categorical = [str(X_train[c].dtype) == "category" and len(X_train[c].cat.categories) < 255 for c in X_train.columns]
    model = make_model(args.engine, categorical)
    if args.engine == "lightgbm":
        import lightgbm as lgb
        stopping = int(HYPERPARAMETERS.get("early_stopping_rounds") or 0)
        callbacks = [lgb.log_evaluation(50)] + ([lgb.early_stopping(stopping)] if stopping else [])
        model.fit(X_train, y_train, eval_set=[(X_valid, y_valid)], callbacks=callbacks)
        best = getattr(model, "best_iteration_", None)
    else:
        # Categories become their codes (missing stays missing); training and validation rows are fitted
        # together and the estimator holds out the validation share itself for early stopping.
        codes = lambda X: X.apply(lambda c: c.cat.codes.replace(-1, np.nan) if str(c.dtype) == "category" else c).astype("float64")
        X_fit, y_fit = pd.concat([codes(X_train), codes(X_valid)]), np.concatenate([y_train, y_valid])
        X_test = codes(X_test)
        if model.early_stopping:
            model.set_params(validation_fraction=len(X_valid) / len(X_fit))
        model.fit(X_fit, y_fit)
        best = model.n_iter_
    if best is not None:
        print(f"best iteration on validation: {best}")
    predicted = model.predict(X_test) if TASK == "regression" else model.predict_proba(X_test)
    report(y_test, predicted)


if __name__ == "__main__":
    main()
