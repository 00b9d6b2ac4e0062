using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>How a raced candidate did: its validation and test score at its best iteration, and when it was dropped.</summary>
public sealed record RacedCandidate(RaceEntry Entry, TrainingParameters Parameters, double Valid, double Test, int BestIteration, int Iterations, double Seconds, int? DroppedAtIteration);

/// <summary>The race: every candidate, the best single one on validation and its model, and the ensemble built from them.</summary>
public sealed record RaceOutcome(IReadOnlyList<RacedCandidate> Candidates, int Winner, TrainingOutcome WinnerOutcome, TimeSpan Elapsed)
{
    /// <summary>The greedy ensemble of the race's models, kept or not; null when it was not built (one model, or turned off).</summary>
    public RaceEnsemble? Ensemble { get; init; }

    /// <summary>What the race ends with: the ensemble when it was kept, otherwise the winner.</summary>
    public TrainingOutcome KeptOutcome => Ensemble is { Kept: true, Outcome: { } e } ? e : WinnerOutcome;
}

/// <summary>A candidate's share of the ensemble.</summary>
public sealed record EnsembleWeight(int Index, string Candidate, double Weight)
{
    /// <summary>"pack-adult 48%, ag-r1 32%, defaults 20%", for the log and the training panel.</summary>
    public static string Describe(IEnumerable<EnsembleWeight> weights) =>
        string.Join(", ", weights.Select(w => $"{w.Candidate} {w.Weight.ToString("0%", System.Globalization.CultureInfo.InvariantCulture)}"));
}

/// <summary>
/// The ensemble selected from a race's models on validation: its weights, its validation objective and card metric
/// beside the winner's, its test metrics, whether it was kept and why.
/// </summary>
public sealed record RaceEnsemble(IReadOnlyList<EnsembleWeight> Weights, double ValidObjective, double WinnerValidObjective, double Valid, double WinnerValid,
    TestMetrics Test, bool Kept, string Why)
{
    /// <summary>Refitted on folds of the training and validation rows (small data), rather than the race's own models.</summary>
    public bool Bagged { get; init; }

    /// <summary>The kept ensemble as a training outcome (its model is an <see cref="EnsembleModel"/>); null when not kept.</summary>
    public TrainingOutcome? Outcome { get; init; }
}

/// <summary>
/// A race's state between rungs (or, racing in full, between candidates): every started candidate's model so far, who
/// is still in, who was dropped when, and the next rung. A runner that takes over a race whose runner died continues
/// from it on the same split (the split is seeded).
/// </summary>
public sealed record RaceCheckpoint(string[] Candidates, int Rung, int[] Alive, int?[] Dropped, TrainingCheckpoint?[] Runs, double Seconds)
{
    /// <summary>Whether this checkpoint is of a race of exactly these candidates (the plan can change as the knowledge grows).</summary>
    public bool Fits(IReadOnlyList<RaceEntry> entries) => Candidates.SequenceEqual(entries.Select(e => e.Candidate.Id)) && Runs.Length == entries.Count && Dropped.Length == entries.Count;

    /// <summary>The checkpoint of the candidate a curve point belongs to covers that point.</summary>
    public bool Covers(IReadOnlyList<RaceEntry> entries, IterationMetrics point)
    {
        for (var i = 0; i < entries.Count && i < Runs.Length; i++)
            if (entries[i].Candidate.Id == point.Candidate) return Runs[i] is { } run && point.Iteration <= run.Iteration;
        return false;
    }
}

/// <summary>
/// Races portfolio candidates on one binned split. <b>Successive halving</b> (Jamieson &amp; Talwalkar 2016, as in
/// Hyperband and FLAML's racing): all candidates train up to a first budget of boosting (rounds × learning rate, so a
/// low learning rate gets more rounds), the better half on validation goes on with twice the budget, and so on until
/// one is left, which trains to its own end (early stopping).
/// Candidates keep their boosters between rungs, so nothing is retrained. <b>Full</b>: every candidate trains to its end.
/// </summary>
public static class PortfolioRace
{
    public const string Halving = "halving";
    public const string Full = "full";
    /// <summary>How many standard errors the ensemble's validation gain must clear (as the zero-shot rule's bound, z 1.28: one-sided 90%).</summary>
    public const double DefaultEnsembleZ = 1.28;

    public static RaceOutcome Run(LightGbmSplit split, IReadOnlyList<RaceEntry> entries, MlTask task, string primaryMetric, int threads,
        Action<string, IterationMetrics>? onIteration, Action<string>? log, CancellationToken cancellationToken,
        string strategy = Halving, int firstRung = 100, TimeSpan? budget = null, int trainMetricEvery = 0,
        RaceCheckpoint? resumeFrom = null, (TimeSpan Every, Action<RaceCheckpoint> Save)? checkpoints = null, bool ensemble = true, double ensembleZ = DefaultEnsembleZ, int bagMaxRows = RaceEnsembles.DefaultBagMaxRows)
    {
        var higher = TaskDefaults.HigherIsBetter(LightGbmTrainer.CurveMetric(task, primaryMetric));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var before = TimeSpan.FromSeconds(resumeFrom?.Seconds ?? 0); // time the runners before this one spent
        var runs = new List<LightGbmRun>();
        var parameters = entries.Select(e => e.Candidate.Parameters(task, split.Classes, threads, overrides: e.Values)).ToList();
        if (resumeFrom is not null && !resumeFrom.Fits(entries))
            throw new InvalidDataException($"The race checkpoint is of other candidates ({string.Join(", ", resumeFrom.Candidates)}).");
        var dropped = resumeFrom?.Dropped.ToArray() ?? new int?[entries.Count];
        var lastCheckpoint = TimeSpan.Zero;
        try
        {
            for (var i = 0; i < parameters.Count; i++) runs.Add(new LightGbmRun(split, parameters[i], task, primaryMetric, trainMetricEvery, resumeFrom?.Runs[i]));
            var alive = resumeFrom?.Alive.ToList() ?? Enumerable.Range(0, entries.Count).ToList();
            void Checkpoint(int nextRung)
            {
                if (checkpoints is not { } c || watch.Elapsed - lastCheckpoint < c.Every) return;
                lastCheckpoint = watch.Elapsed;
                c.Save(new RaceCheckpoint([.. entries.Select(e => e.Candidate.Id)], nextRung, [.. alive], [.. dropped], runs.Select(r => r.Iteration > 0 ? r.Checkpoint() : null).ToArray(), (before + watch.Elapsed).TotalSeconds));
            }
            bool Better(int a, int b) => double.IsNaN(runs[b].BestValidMetric) || (higher ? runs[a].BestValidMetric > runs[b].BestValidMetric : runs[a].BestValidMetric < runs[b].BestValidMetric);
            void Advance(int i, int until)
            {
                var id = entries[i].Candidate.Id;
                runs[i].Advance(until, m => onIteration?.Invoke(id, m), cancellationToken);
            }

            if (strategy == Full)
            {
                foreach (var i in alive)
                {
                    if (runs[i].Finished || dropped[i] is not null) continue; // done before a resume
                    if (i >= 2 && budget is { } b && before + watch.Elapsed > b) { log?.Invoke($"[{entries[i].Candidate.Id}] skipped: the race's time budget ({b.TotalSeconds:0} s) is used up."); dropped[i] = 0; continue; }
                    Advance(i, int.MaxValue);
                    log?.Invoke($"[{entries[i].Candidate.Id}] best iteration {runs[i].BestIteration}: validation {runs[i].BestValidMetric:0.####}; {runs[i].Elapsed.TotalSeconds:0.0} s.");
                    Checkpoint(0);
                }
            }
            else
            {
                var rung = resumeFrom?.Rung is > 0 and var resumed ? resumed : Math.Max(1, firstRung);
                // Rounds scale with 1 / learning rate (a rung is a budget of shrinkage, lr × rounds, as at lr 0.1): a slow
                // learner is compared after as much boosting as a fast one, not dropped for being early in its curve.
                var scale = parameters.Select(p => double.TryParse(p.LightGbm.GetValueOrDefault("learning_rate", "0.1"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var lr) && lr > 0
                    ? Math.Clamp(0.1 / lr, 1, 10) : 1).ToArray();
                while (alive.Count > 1)
                {
                    foreach (var i in alive) Advance(i, (int)Math.Ceiling(rung * scale[i]));
                    var ranked = alive.OrderBy(i => i, Comparer<int>.Create((a, b) => a == b ? 0 : Better(a, b) ? -1 : 1)).ToList();
                    var keep = ranked.Take((ranked.Count + 1) / 2).ToList();
                    foreach (var i in ranked.Skip(keep.Count)) dropped[i] = runs[i].Iteration;
                    log?.Invoke($"Rung of {rung} rounds at learning rate 0.1 (more at lower rates): {string.Join(", ", ranked.Select(i => $"{entries[i].Candidate.Id} {runs[i].BestValidMetric:0.####}"))}; " +
                                $"{(keep.Count == 1 ? "kept" : "going on")}: {string.Join(", ", keep.Select(i => entries[i].Candidate.Id))}.");
                    alive = keep;
                    rung *= 2;
                    Checkpoint(rung);
                }
                Advance(alive[0], int.MaxValue);
            }
            var winner = Enumerable.Range(0, entries.Count).Where(i => runs[i].Iteration > 0).Aggregate((a, b) => Better(b, a) ? b : a);
            var outcomes = runs.Select((r, i) => r.Iteration > 0 ? r.Outcome(saveModel: i == winner) : null).ToList();
            var raced = entries.Select((e, i) => new RacedCandidate(e, parameters[i], runs[i].BestValidMetric,
                outcomes[i]?.Test.Get(primaryMetric) ?? double.NaN, runs[i].BestIteration, runs[i].Iteration, runs[i].Elapsed.TotalSeconds, dropped[i])).ToList();
            var selected = ensemble ? RaceEnsembles.Build(split, entries, parameters, runs, dropped, winner, task, primaryMetric, higher, outcomes[winner]!, ensembleZ, bagMaxRows, cancellationToken) : null;
            log?.Invoke($"Winner on validation (best single model): {entries[winner].Candidate.Id} ({runs[winner].MetricName} {runs[winner].BestValidMetric:0.####}).");
            if (selected is not null) log?.Invoke(selected.Why);
            var elapsed = before + watch.Elapsed;
            return new RaceOutcome(raced, winner, outcomes[winner]! with { Elapsed = elapsed }, elapsed)
            {
                Ensemble = selected is { Outcome: { } o } ? selected with { Outcome = o with { Elapsed = elapsed } } : selected,
            };
        }
        finally
        {
            foreach (var r in runs) r.Dispose();
        }
    }
}
