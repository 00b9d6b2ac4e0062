import sys, time, numpy as np, pandas as pd, xgboost as xgb
path, label = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 200
df = pd.read_csv(path)
y = df.pop(label).values
for c in df.columns:
    if df[c].dtype == object: df[c] = df[c].astype("category")
rng = np.random.default_rng(42); idx = rng.permutation(len(df)); n = len(df)
tr, va = idx[: int(.7 * n)], idx[int(.7 * n): int(.85 * n)]
t0 = time.time()
dtr = xgb.DMatrix(df.iloc[tr], y[tr], enable_categorical=True); dva = xgb.DMatrix(df.iloc[va], y[va], enable_categorical=True)
print(f"DMatrix {time.time()-t0:.1f} s")
for name, extra in [("depth6", {"max_depth": 6}), ("leaves21", {"grow_policy": "lossguide", "max_leaves": 21, "max_depth": 0})]:
    for evals in (["valid"], ["train", "valid"]):
        params = {"tree_method": "hist", "nthread": 2, "objective": "binary:logistic", "eval_metric": ["logloss", "error"], "eta": 0.1, **extra}
        t0 = time.time()
        xgb.train(params, dtr, rounds, evals=[(dva, "valid")] if evals == ["valid"] else [(dtr, "train"), (dva, "valid")], verbose_eval=False)
        print(f"xgboost hist {name}, eval {'+'.join(evals)}: {(time.time()-t0)*1000/rounds:.1f} ms/round over {rounds} rounds")
