#!/usr/bin/env python3
"""Prints BENCHMARKS.md tables from the bench's JSON outputs (recommend, predict-log, train)."""
import json, sys

def f(v, d=4):
    return "n/a" if v is None or v != v else f"{v:.{d}f}"

def recommend(path):
    r = json.load(open(path)); s = r["Summary"]
    print(f"| | normalised score | wins / ties / losses vs defaults | not worse than defaults | worst shortfall vs defaults |")
    print("|---|---:|---:|---:|---:|")
    for name, key in [("zero-shot (the app's stage C), blend", "Blend"), ("zero-shot, text similarity only", "TextOnly"), ("zero-shot, meta-features only", "MetaOnly")]:
        b = s[key]
        print(f"| {name} | {f(b['MeanNormalised'])} | {b['Wins']} / {b['Ties']} / {b['Losses']} | {b['NotWorseThanDefaults']:.0%} | {b['MaxShortfallVsDefaults']:.2%} |")
    fs = s["FewShot"]
    if fs["MeanNormalised"] == fs["MeanNormalised"]:
        print(f"| few-shot race, k = {fs['K']} | {f(fs['MeanNormalised'])} | {fs['Wins']} / {fs['Ties']} / {fs['Losses']} | {fs['NotWorseThanDefaults']:.0%} | {fs['MaxShortfallVsDefaults']:.2%} |")
    print(f"| LightGBM defaults | {f(s['DefaultsNormalised'])} | — | — | — |")
    print(f"| mean of {s['Trials']} random configurations | {f(s['RandomMeanNormalised'])} | — | — | — |")
    print()
    print(f"Time per split: zero-shot choice {s['MeanRecommendMs']:.1f} ms + {s['MeanRecommendTrainSeconds']:.2f} s to train it; few-shot race {s['MeanFewShotSeconds']:.2f} s; {s['Trials']}-trial search {s['MeanSearchSeconds']:.2f} s (few-shot / search = {fs['TimeVsSearch']:.0%}). Scores read from the matrix: {s['ScoresFromMatrix']}, trained: {s['ScoresTrained']}; {s['Minutes']:.1f} min.")
    print()
    print("| dataset | metric | defaults | random mean | search | zero-shot | chosen | text only | meta only | few-shot | zero-shot norm. | few-shot norm. |")
    print("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for x in r["Rows"]:
        hib = x["HigherIsBetter"]; sb = x["SearchBest"]
        n = (lambda v: v / sb if hib else sb / v)
        print(f"| {x['Dataset']} | {x['Metric']} | {f(x['Defaults'])} | {f(x['RandomMean'])} | {f(sb)} | {f(x['Blend'])} | {x['ZeroShotChoice']} | {f(x['TextOnly'])} | {f(x['MetaOnly'])} | {f(x['FewShot'])} | {f(n(x['Blend']),3)} | {f(n(x['FewShot']),3) if x['FewShot']==x['FewShot'] else 'n/a'} |")

def predict(path):
    r = json.load(open(path))
    print("| basis | accuracy/AUC: MAE | inside the 80% band | mean band width | RMSE: mean relative error | RMSE inside the band | mean relative band width |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, b in [("card only", r), ("probe", r["Probe"])]:
        print(f"| {name} | {f(b['MeanAbsoluteError'])} | {b['InsideBand']}/{b['Compared']} ({b['InsideBand']/max(1,b['Compared']):.0%}) | {f(b['MeanBandWidth'])} | {b['Rmse']['MeanRelativeError']:.1%} | {b['Rmse']['InsideBand']}/{b['Rmse']['Compared']} | {b['Rmse']['MeanRelativeBandWidth']:.1%} |")

if __name__ == "__main__":
    {"recommend": recommend, "predict-log": predict}[sys.argv[1]](sys.argv[2])
