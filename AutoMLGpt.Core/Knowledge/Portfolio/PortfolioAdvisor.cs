using System.Globalization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>A candidate's predicted standing on the new dataset: its similarity-weighted normalised score, and how far below the defaults it is expected to fall where it does.</summary>
/// <param name="GainBound">The lower confidence bound of its weighted gain over the defaults (0 for the defaults themselves).</param>
/// <param name="Downside">Its weighted 10th-percentile gain over the defaults: how bad a bad case is on data like this.</param>
/// <param name="Gate">Why it is not offered on this data (learnt on data of another size), or null.</param>
public sealed record CandidateEstimate(PortfolioCandidate Candidate, double PredictedNormalised, double PredictedShortfall, double Score, int Evidence,
    double GainBound = 0, double Downside = 0, string? Gate = null);

/// <summary>How much one past dataset counts for the new one.</summary>
public sealed record DatasetWeight(string Dataset, double Similarity, double Weight, string Source);

/// <summary>
/// The zero-shot recommendation: one evaluated configuration chosen (never an average of several), its values bounded
/// by the new data's size, and the evidence for it.
/// </summary>
public sealed record ZeroShotChoice(
    PortfolioCandidate Candidate, IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Bounds,
    CandidateEstimate Chosen, CandidateEstimate Defaults, IReadOnlyList<DatasetWeight> Weights, IReadOnlyList<CandidateEstimate> Ranking,
    string Rule = PortfolioOptions.BoundRule)
{
    /// <summary>What LightGBM is given for this choice: the candidate with the size-bounded values on top.</summary>
    public Training.TrainingParameters Parameters(Cards.MlTask task, int classes, int threads) => Candidate.Parameters(task, classes, threads, overrides: Values);

    private static string Points(double v) => (v >= 0 ? "+" : "−") + Math.Abs(v * 100).ToString("0.00", CultureInfo.InvariantCulture) + " points";

    public string Why
    {
        get
        {
            var top = string.Join(", ", Weights.OrderByDescending(w => w.Weight).Take(3).Select(w => $"{HyperparameterTransfer.Percent(w.Weight)} {w.Dataset}"));
            var n = Weights.Count;
            if (Rule == PortfolioOptions.MarginRule)
                return Candidate.IsDefaults
                    ? $"no candidate is predicted to beat LightGBM's defaults by the margin on the {n} past datasets weighted by similarity ({top}, …); the defaults are kept"
                    : $"{Candidate.Id} ({Candidate.Origin}) is predicted at {Chosen.PredictedNormalised:0.000} of the best configuration against {Defaults.PredictedNormalised:0.000} for the defaults, over {n} past datasets weighted by similarity ({top}, …)";
            if (Candidate.IsDefaults)
            {
                var closest = Ranking.FirstOrDefault(e => !e.Candidate.IsDefaults);
                var gated = Ranking.Count(e => e.Gate is not null);
                return $"defaults kept: no candidate beats them with confidence on data like this ({n} past datasets weighted by similarity and size: {top}, …)" +
                       (closest is null ? "" : $"; the closest, {closest.Candidate.Id}, gains {Points(closest.PredictedNormalised - Defaults.PredictedNormalised)} on average but its lower bound is {Points(closest.GainBound)}" +
                           (closest.Downside < 0 ? $" and its bad cases lose {Points(-closest.Downside)}" : "")) +
                       (gated > 0 ? $"; {gated} candidates learnt on data of another size are not offered" : "");
            }
            return $"{Candidate.Id} ({Candidate.Origin}) beats the defaults with confidence on data like this: lower bound {Points(Chosen.GainBound)} " +
                   $"(mean {Points(Chosen.PredictedNormalised - Defaults.PredictedNormalised)}), bad cases {Points(Chosen.Downside)}, over {n} past datasets weighted by similarity and size ({top}, …)";
        }
    }
}

/// <summary>A candidate of the few-shot race and why it is there.</summary>
public sealed record RaceEntry(PortfolioCandidate Candidate, IReadOnlyDictionary<string, string> Values, string Reason);

/// <summary>
/// Zero-shot choosing and few-shot portfolios over the results matrix. For a new card, each past dataset is weighted by
/// similarity (card text and statistics, shrunk towards uniform), each candidate gets the weighted mean of its
/// normalised scores, and the best one is chosen; the defaults stay unless another is predicted to beat them by a
/// margin (FLAML's zero-shot rule). Finished real runs that raced candidates add partial rows.
/// </summary>
public sealed class PortfolioAdvisor(ResultsMatrix matrix, KnowledgeBase knowledge, PortfolioOptions options)
{
    public ResultsMatrix Matrix => matrix;
    public PortfolioOptions Options => options;
    public KnowledgeBase Knowledge => knowledge;

    /// <summary>A past dataset's evidence: the mean test score per candidate (NaN where not evaluated).</summary>
    internal sealed record EvidenceRow(string Name, string Source, bool HigherIsBetter, double[] MeanTest, MatrixDataset? Full)
    {
        public double Best => HigherIsBetter ? MeanTest.Where(double.IsFinite).Max() : MeanTest.Where(double.IsFinite).Min();
        public double Normalised(int c) => double.IsFinite(MeanTest[c]) ? MatrixDataset.Ratio(MeanTest[c], Best, HigherIsBetter) : double.NaN;
    }

    private List<EvidenceRow> Rows(IReadOnlySet<string>? exclude)
    {
        var rows = matrix.Datasets.Where(d => exclude?.Contains(d.Name) != true)
            .Select(d => new EvidenceRow(d.Name, "matrix", d.HigherIsBetter, d.Test.Select(t => t.Average()).ToArray(), d)).ToList();
        foreach (var r in knowledge.Records.Where(r => r.Source == "training" && r.CandidateScores is { Count: > 0 } && exclude?.Contains(r.Dataset) != true))
        {
            var scores = matrix.Candidates.Select(c => r.CandidateScores!.TryGetValue(c.Id, out var v) ? v : double.NaN).ToArray();
            if (scores.Count(double.IsFinite) >= 2) rows.Add(new EvidenceRow(r.Dataset, "your runs", r.HigherIsBetter, scores, null));
        }
        return rows;
    }

    /// <summary>Similarity weights over the past datasets, shrunk towards uniform.</summary>
    public IReadOnlyList<DatasetWeight> Weigh(DataCard card, MetaFeatures? meta = null, IReadOnlySet<string>? exclude = null, double? textWeight = null) =>
        Weigh(card, meta, Rows(exclude), exclude, textWeight);

    private List<DatasetWeight> Weigh(DataCard card, MetaFeatures? meta, List<EvidenceRow> rows, IReadOnlySet<string>? exclude, double? textWeight)
    {
        var similar = knowledge.FindSimilar(card, meta, KnowledgePackBuilder.Family, k: Math.Max(1, knowledge.RecordCount), textWeight: textWeight, exclude: exclude);
        var byName = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in similar)
            byName[n.Record.Dataset] = Math.Max(byName.GetValueOrDefault(n.Record.Dataset, double.MinValue), n.Similarity);
        // A row the knowledge base does not know (no card indexed) gets the mean similarity.
        var fallback = byName.Count > 0 ? byName.Values.Average() : 0;
        var sims = rows.Select(r => byName.TryGetValue(r.Name, out var s) ? s : fallback).ToArray();
        var max = sims.Length > 0 ? sims.Max() : 0;
        var exp = sims.Select(s => Math.Exp((s - max) / options.Temperature)).ToArray();
        var sum = exp.Sum();
        var mixed = rows.Select((r, i) => (1 - options.UniformShare) * exp[i] / sum + options.UniformShare / rows.Count).ToArray();
        // The size kernel: datasets of about this many rows count most (unknown sizes are neutral).
        var rowsNew = card.Samples;
        for (var i = 0; i < rows.Count; i++)
            if (options.SizeBandwidth > 0 && rowsNew is > 0 && SizeOf(rows[i]) is > 0 and var other)
            {
                var d = Math.Log10(rowsNew.Value) - Math.Log10(other);
                mixed[i] *= Math.Exp(-d * d / (2 * options.SizeBandwidth * options.SizeBandwidth));
            }
        var total = mixed.Sum();
        return rows.Select((r, i) => new DatasetWeight(r.Name, sims[i], total > 0 ? mixed[i] / total : 1.0 / rows.Count, r.Source)).ToList();
    }

    private long? SizeOf(EvidenceRow row) =>
        row.Full?.Rows ?? knowledge.Records.FirstOrDefault(r => string.Equals(r.Dataset, row.Name, StringComparison.OrdinalIgnoreCase))?.Card.Samples;

    private bool Allowed(PortfolioCandidate c, IReadOnlySet<string>? exclude) => c.FromDataset is null || exclude?.Contains(c.FromDataset) != true;

    /// <summary>Chooses one evaluated configuration for a new card.</summary>
    /// <param name="trainRows">Rows the model will train on, when the data is known; else 70% of the card's size.</param>
    /// <param name="exclude">Datasets to leave out (leave-one-dataset-out evaluation), with the candidates found on them.</param>
    public ZeroShotChoice ChooseZeroShot(DataCard card, MetaFeatures? meta = null, long? trainRows = null, IReadOnlySet<string>? exclude = null, double? textWeight = null)
    {
        var rows = Rows(exclude);
        var weights = Weigh(card, meta, rows, exclude, textWeight);
        var d = matrix.DefaultsIndex;
        var newRows = trainRows ?? card.Samples;
        var estimates = new List<CandidateEstimate>();
        for (var c = 0; c < matrix.Candidates.Count; c++)
        {
            if (!Allowed(matrix.Candidates[c], exclude)) continue;
            double mean = 0, shortfall = 0, total = 0;
            var gains = new List<(double Gain, double Weight)>();
            for (var i = 0; i < rows.Count; i++)
            {
                var ns = rows[i].Normalised(c);
                if (!double.IsFinite(ns)) continue;
                var nd = rows[i].Normalised(d);
                var w = weights[i].Weight;
                mean += w * ns;
                if (double.IsFinite(nd))
                {
                    shortfall += w * Math.Max(0, nd - ns);
                    gains.Add((ns - nd, w));
                }
                total += w;
            }
            if (total <= 0) continue;
            mean /= total; shortfall /= total;
            var candidate = matrix.Candidates[c];
            var (bound, downside) = candidate.IsDefaults ? (0.0, 0.0) : GainEvidence(gains, options.ConfidenceZ);
            // Bad cases are judged over every past dataset alike: similarity says where a candidate shines, not where it fails.
            if (!candidate.IsDefaults && options.DownsideOverAll) downside = GainEvidence(gains.Select(g => (g.Gain, 1.0)).ToList(), options.ConfidenceZ).Downside;
            estimates.Add(new CandidateEstimate(candidate, mean, shortfall, mean - options.LossAversion * shortfall, gains.Count, bound, downside, SizeGate(candidate, newRows)));
        }
        var defaults = estimates.First(e => e.Candidate.IsDefaults);
        CandidateEstimate chosen;
        List<CandidateEstimate> ranking;
        if (options.ZeroShotRule == PortfolioOptions.MarginRule)
        {
            ranking = estimates.OrderByDescending(e => e.Score).ToList();
            chosen = ranking[0].Score >= defaults.Score + options.Margin ? ranking[0] : defaults;
        }
        else if (options.ZeroShotRule == PortfolioOptions.VetoRule)
        {
            // The best predicted score, as the margin rule, but only among candidates whose bad cases are mild and whose
            // size fits: the others are vetoed, however good they look on the neighbours.
            ranking = estimates.OrderByDescending(e => e.Score).ToList();
            chosen = ranking.FirstOrDefault(e => !e.Candidate.IsDefaults && e.Gate is null && e.Downside >= -options.MaxDownside && e.Score >= defaults.Score + options.Margin) ?? defaults;
        }
        else
        {
            // Safe by construction: a candidate replaces the defaults only when, on data like this, its gain is positive
            // with confidence and its bad cases are mild; among those, the one with the best bound.
            ranking = estimates.OrderByDescending(e => e.Candidate.IsDefaults ? 0 : e.GainBound).ThenByDescending(e => e.PredictedNormalised).ToList();
            chosen = ranking.FirstOrDefault(e => !e.Candidate.IsDefaults && e.Gate is null && e.GainBound > options.Margin && e.Downside >= -options.MaxDownside) ?? defaults;
        }
        var (values, bounds) = Bounded(chosen.Candidate, card, trainRows);
        return new ZeroShotChoice(chosen.Candidate, values, bounds, chosen, defaults, weights, ranking, options.ZeroShotRule);
    }

    // The weighted mean gain over the defaults less z standard errors (effective sample size of the weights), and the
    // weighted 10th percentile of the gains.
    internal static (double Bound, double Downside) GainEvidence(IReadOnlyList<(double Gain, double Weight)> gains, double z)
    {
        var total = gains.Sum(g => g.Weight);
        if (gains.Count < 2 || total <= 0) return (double.NegativeInfinity, double.NegativeInfinity);
        var mean = gains.Sum(g => g.Weight * g.Gain) / total;
        var variance = gains.Sum(g => g.Weight * (g.Gain - mean) * (g.Gain - mean)) / total;
        var effective = total * total / gains.Sum(g => g.Weight * g.Weight);
        var bound = mean - z * Math.Sqrt(variance / Math.Max(1, effective - 1));
        double seen = 0;
        var downside = gains[0].Gain;
        foreach (var (gain, weight) in gains.OrderBy(g => g.Gain))
        {
            seen += weight / total;
            downside = gain;
            if (seen >= 0.1) break;
        }
        return (bound, downside);
    }

    // AutoGluon gates its portfolio by data size for the same reason: a configuration tuned on 30,000 rows is no
    // evidence for 150. Candidates found on one dataset carry its size; portfolio ones are not gated.
    private string? SizeGate(PortfolioCandidate candidate, long? newRows)
    {
        if (options.SizeGateDecades <= 0 || newRows is not > 0 || candidate.FromDataset is not { } from) return null;
        var origin = matrix.Datasets.FirstOrDefault(x => string.Equals(x.Name, from, StringComparison.OrdinalIgnoreCase))?.Rows;
        if (origin is not > 0) return null;
        var decades = Math.Abs(Math.Log10(newRows.Value) - Math.Log10(origin.Value));
        return decades > options.SizeGateDecades ? $"learnt on {CardText.Count(origin.Value)} rows ({from}), {decades:0.0} decades from this data's {CardText.Count(newRows.Value)}" : null;
    }

    /// <summary>The values LightGBM gets for a candidate on this data: iterations and early stopping made explicit, bounded by size.</summary>
    public static (Dictionary<string, string> Values, List<string> Changes) Bounded(PortfolioCandidate candidate, DataCard card, long? trainRows)
    {
        var values = candidate.EvaluatedValues();
        var rows = trainRows ?? (long)Math.Round((card.Samples ?? 10_000) * 0.7);
        var classes = card.IsClassification ? Math.Max(2, card.ClassCount) : 1;
        var features = card.Features ?? (card.NumericColumnList.Count + card.CategoricalColumnList.Count is > 0 and var f ? f : null);
        return SizeBounds.Apply(values, rows, classes, features);
    }

    /// <summary>
    /// The few-shot race: the defaults, the zero-shot choice, then candidates added greedily where they most raise the
    /// similarity-weighted score of the best-on-validation member (learned on the matrix, as a race picks on validation).
    /// </summary>
    /// <param name="zeroShot">The choice for this card (made with the same exclusions): its dataset weights are reused.</param>
    public IReadOnlyList<RaceEntry> PlanRace(DataCard card, ZeroShotChoice zeroShot, int? size = null, long? trainRows = null, IReadOnlySet<string>? exclude = null)
    {
        var k = Math.Clamp(size ?? options.RaceSize, 2, 16);
        var rows = Rows(exclude).Where(r => r.Full is not null).ToList();
        var byName = zeroShot.Weights.Where(w => w.Source == "matrix").ToDictionary(w => w.Dataset, w => w.Weight, StringComparer.OrdinalIgnoreCase);
        var weights = rows.Select(r => byName.GetValueOrDefault(r.Name)).ToArray();
        var members = new List<int> { matrix.DefaultsIndex };
        var reasons = new List<string> { "LightGBM's defaults: the baseline, so the race can never end below it on validation" };
        var zi = matrix.IndexOf(zeroShot.Candidate.Id);
        if (zi >= 0 && !members.Contains(zi)) { members.Add(zi); reasons.Add("the zero-shot choice: " + zeroShot.Why); }
        var current = PortfolioValue(rows, weights, members, out _);
        while (members.Count < k)
        {
            var bestGain = double.NegativeInfinity; var bestC = -1; double[] bestPer = [];
            for (var c = 0; c < matrix.Candidates.Count; c++)
            {
                if (members.Contains(c) || !Allowed(matrix.Candidates[c], exclude)) continue;
                var value = PortfolioValue(rows, weights, [.. members, c], out var per);
                if (value - current > bestGain) (bestGain, bestC, bestPer) = (value - current, c, per);
            }
            if (bestC < 0) break;
            PortfolioValue(rows, weights, members, out var before);
            var helped = rows.Select((r, i) => (r.Name, Gain: bestPer[i] - before[i])).Where(x => x.Gain > 0.0005).OrderByDescending(x => x.Gain).Take(3).ToList();
            var c0 = matrix.Candidates[bestC];
            reasons.Add($"{c0.Origin}; adds {bestGain * 100:0.00} points of weighted normalised score to the race" +
                        (helped.Count > 0 ? $", mostly on {string.Join(", ", helped.Select(h => h.Name))}" : ""));
            members.Add(bestC);
            current += bestGain;
        }
        return members.Select((c, i) =>
        {
            var (values, _) = Bounded(matrix.Candidates[c], card, trainRows);
            return new RaceEntry(matrix.Candidates[c], values, reasons[i]);
        }).ToList();
    }

    // Median seconds per round and median rounds (best iteration + patience) of a candidate, scaled to this table: the
    // matrix's time per row × feature times this table's rows × features (rough; shown as "about").
    private (double Seconds, double PerRound, double Rounds) Cost(PortfolioCandidate candidate, long rows, int features)
    {
        var c = matrix.IndexOf(candidate.Id);
        if (c < 0) return (double.NaN, double.NaN, double.NaN);
        double Median(IEnumerable<double> v) { var l = v.Order().ToList(); return l[l.Count / 2]; }
        var size = rows * (double)Math.Max(1, features);
        var seconds = Median(matrix.Datasets.Select(d => d.Seconds[c].Average() / Math.Max(1.0, d.Rows * 0.7 * Math.Max(1, d.Meta.Features ?? 1)))) * size;
        var rounds = Median(matrix.Datasets.Select(d => d.BestIteration[c].Average() + (candidate.IsDefaults ? 0 : CandidateSpace.EarlyStopping)));
        return (seconds, seconds / Math.Max(1, rounds), rounds);
    }

    /// <summary>
    /// About how long a race takes on one thread: every candidate to its end ("full"), or with successive halving the
    /// rounds each is expected to reach before it is dropped, plus the survivor to its end.
    /// </summary>
    public double EstimateRaceSeconds(IReadOnlyList<RaceEntry> plan, long rows, int features, string strategy, int firstRung)
    {
        var costs = plan.Select(e => Cost(e.Candidate, rows, features)).ToList();
        if (strategy == PortfolioRace.Full) return costs.Sum(c => c.Seconds);
        // Rung r (budget firstRung·2^r) keeps half: on average a candidate is dropped after one of the rungs.
        var rungs = new List<double>();
        for (var alive = plan.Count; alive > 1; alive = (alive + 1) / 2) rungs.Add(firstRung * Math.Pow(2, rungs.Count));
        var expected = rungs.Count == 0 ? 0 : rungs.Average();
        return costs.Sum(c => c.PerRound * Math.Min(c.Rounds, expected)) + costs.Max(c => c.Seconds);
    }

    // Weighted mean over datasets and seeds of the normalised test score of the member best on validation.
    private double PortfolioValue(List<EvidenceRow> rows, double[] weights, List<int> members, out double[] perRow)
    {
        perRow = new double[rows.Count];
        double total = 0, wsum = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var d = rows[i].Full!;
            var best = rows[i].Best;
            double acc = 0;
            for (var s = 0; s < d.Test[0].Length; s++)
            {
                var pick = members[0];
                foreach (var m in members)
                    if (d.HigherIsBetter ? d.Valid[m][s] > d.Valid[pick][s] : d.Valid[m][s] < d.Valid[pick][s]) pick = m;
                acc += MatrixDataset.Ratio(d.Test[pick][s], best, d.HigherIsBetter);
            }
            perRow[i] = acc / d.Test[0].Length;
            total += weights[i] * perRow[i];
            wsum += weights[i];
        }
        return wsum > 0 ? total / wsum : 0;
    }
}
