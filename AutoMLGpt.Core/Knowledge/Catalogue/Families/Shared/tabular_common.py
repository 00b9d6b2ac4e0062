import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, mean_squared_error, r2_score, roc_auc_score

LABEL = "{{LABEL}}"
TASK = "{{TASK}}"
SEED = 42


def report(y_true, predicted):
    # The metrics the app reports for a real training run, with the same names.
    metrics = {"test rows": int(len(y_true))}
    if TASK == "regression":
        metrics["RMSE"] = float(np.sqrt(mean_squared_error(y_true, predicted)))
        metrics["MAE"] = float(mean_absolute_error(y_true, predicted))
        metrics["R²"] = float(r2_score(y_true, predicted))
    else:
        proba = np.asarray(predicted)
        if proba.ndim == 1:
            proba = np.column_stack([1 - proba, proba])
        metrics["accuracy"] = float(accuracy_score(y_true, proba.argmax(axis=1)))
        metrics["log loss"] = float(log_loss(y_true, proba, labels=list(range(proba.shape[1]))))
        if proba.shape[1] == 2:
            metrics["AUC"] = float(roc_auc_score(y_true, proba[:, 1]))
    for name, value in metrics.items():
        print(f"test {name}: {value:.4f}" if isinstance(value, float) else f"test {name}: {value}")
    print("METRICS " + json.dumps(metrics, ensure_ascii=False))
    return metrics
