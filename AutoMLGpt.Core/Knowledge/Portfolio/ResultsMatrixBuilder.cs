using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>
/// Builds the results matrix by really training: per dataset and split seed, the data is binned once and every
/// candidate trains on it (one thread each; datasets run side by side), scored on validation and test.
/// </summary>
public static class ResultsMatrixBuilder
{
    /// <summary>The split protocol, as the matrix records it.</summary>
    public const string Protocol = "seeded stratified 70/15/15 splits (TabularData.SeededSplit); early stopping on the validation loss; test scored at the best iteration";

    /// <summary>Candidates whose learning curve is probed on subsamples, to calibrate the probe's prediction.</summary>
    public static readonly string[] ProbedCandidates = [CandidateSpace.DefaultsId, "ag-default", "ag-r131"];

    public static MatrixDataset Evaluate(string folder, IReadOnlyList<PortfolioCandidate> candidates, int[] seeds, Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        var file = DatasetCardFile.Load(Path.Combine(folder, "datacard.json"));
        var table = CsvReader.Read(Path.Combine(folder, "data.csv"));
        var card = file.Card;
        var metric = card.PrimaryMetric;
        var higher = TaskDefaults.HigherIsBetter(metric);
        var valid = candidates.Select(_ => new double[seeds.Length]).ToArray();
        var test = candidates.Select(_ => new double[seeds.Length]).ToArray();
        var iterations = candidates.Select(_ => new int[seeds.Length]).ToArray();
        var seconds = candidates.Select(_ => new double[seeds.Length]).ToArray();
        var probes = new List<ProbeRecord>();
        TabularData? first = null;
        var testRows = 0;
        for (var s = 0; s < seeds.Length; s++)
        {
            var data = TabularData.Build(table, card, seed: seeds[s]);
            first ??= data;
            testRows = data.Split.Test.Length;
            using var split = LightGbmSplit.Create(data);
            for (var c = 0; c < candidates.Count; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var watch = Stopwatch.StartNew();
                var outcome = LightGbmTrainer.Train(split, candidates[c].Parameters(card.Task, data.Classes.Length, threads: 1), card.Task, metric, null, trainMetricEvery: 0, saveModel: false, cancellationToken: cancellationToken);
                valid[c][s] = outcome.BestValidMetric;
                test[c][s] = outcome.Test.Get(metric) ?? throw new InvalidDataException($"{card.Name}: test metric {metric} not measured.");
                iterations[c][s] = outcome.BestIteration;
                seconds[c][s] = watch.Elapsed.TotalSeconds;
            }
            foreach (var id in ProbedCandidates)
            {
                var c = candidates.ToList().FindIndex(x => x.Id == id);
                if (c < 0) continue;
                var probe = LearningCurveProbe.Run(data, candidates[c], metric, threads: 1, cancellationToken);
                probes.Add(new ProbeRecord(id, seeds[s], probe.Rows, probe.ValidMetric, data.Split.Train.Length, valid[c][s], test[c][s], testRows));
            }
        }
        var labels = first!.Labels;
        double? majority = card.IsClassification ? labels.GroupBy(l => l).Max(g => g.Count()) / (double)labels.Length : null;
        double? std = null;
        if (card.Task == MlTask.Regression)
        {
            var mean = labels.Average(l => (double)l);
            std = Math.Sqrt(labels.Sum(l => (l - mean) * (l - mean)) / labels.Length);
        }
        var d = Defaults(candidates);
        log?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"{card.Name}: {first.Rows:N0} rows, {metric}; defaults {test[d].Average():0.####}, best candidate {(higher ? test.Max(t => t.Average()) : test.Min(t => t.Average())):0.####}; {seconds.Sum(x => x.Sum()):0.0} s of training"));
        return new MatrixDataset
        {
            Name = card.Name, Card = card, Meta = MetaFeatures.FromFile(file), Metric = metric, HigherIsBetter = higher, Rows = first.Rows,
            Classes = first.Classes.Length, MajorityShare = majority, LabelStd = std, TestRows = testRows,
            Valid = Round(valid), Test = Round(test), BestIteration = iterations, Seconds = seconds.Select(r => r.Select(v => Math.Round(v, 3)).ToArray()).ToArray(),
            Probes = probes,
        };
    }

    private static int Defaults(IReadOnlyList<PortfolioCandidate> candidates) => Math.Max(0, candidates.ToList().FindIndex(c => c.IsDefaults));

    private static double[][] Round(double[][] v) => v.Select(r => r.Select(x => Math.Round(x, 6)).ToArray()).ToArray();
}
