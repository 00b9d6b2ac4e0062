using System.Globalization;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge;

/// <summary>
/// The statistics of a dataset that predict which hyperparameters work (FLAML's and auto-sklearn's kind): size, width,
/// share of numeric features, number of classes, class imbalance and missing share. Unknown values are null.
/// </summary>
public sealed record MetaFeatures(MlTask Task, long? Rows, int? Features, double? NumericShare, int Classes, double? Imbalance, double? MissingShare)
{
    public static MetaFeatures FromCard(DataCard card, double? imbalance = null, double? missingShare = null)
    {
        var numeric = card.NumericColumnList.Count;
        var categorical = card.CategoricalColumnList.Count;
        double? share = numeric + categorical > 0 ? numeric / (double)(numeric + categorical) : null;
        return new MetaFeatures(card.Task, card.Samples, card.Features ?? (numeric + categorical > 0 ? numeric + categorical : null), share,
            card.IsClassification ? Math.Max(2, card.ClassCount) : 0, imbalance, missingShare);
    }

    public static MetaFeatures FromFile(DatasetCardFile file)
    {
        var counts = file.ClassCounts.Values.Where(v => v > 0).ToList();
        double? imbalance = counts.Count >= 2 ? counts.Min() / (double)counts.Max() : null;
        var cells = (file.Card.Samples ?? 0) * ((file.Card.Features ?? 0) + 1);
        return FromCard(file.Card, imbalance, cells > 0 ? file.MissingCells / (double)cells : 0);
    }

    /// <summary>Comparable coordinates in roughly [0, 1]; an unknown value sits in the middle.</summary>
    public double[] Vector() =>
    [
        Rows is { } r ? Math.Clamp(Math.Log10(Math.Max(10, r)) / 7, 0, 1) : 0.5,
        Features is { } f ? Math.Clamp(Math.Log10(f + 1) / 3, 0, 1) : 0.5,
        NumericShare ?? 0.5,
        Task == MlTask.Regression ? 0 : Math.Clamp(Math.Log2(Classes) / 6, 0, 1),
        Imbalance ?? 0.5,
        Math.Clamp((MissingShare ?? 0) * 5, 0, 1),
        Task == MlTask.Regression ? 1 : 0,
    ];

    /// <summary>Gaussian kernel on the coordinates: 1 for identical statistics, falling with distance.</summary>
    public double Similarity(MetaFeatures other)
    {
        var a = Vector(); var b = other.Vector();
        var d2 = 0.0;
        for (var i = 0; i < a.Length; i++) d2 += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Exp(-d2 / (2 * 0.3 * 0.3));
    }
}

/// <summary>One past experiment the recommendations learn from: its card, statistics, best configuration and result.</summary>
public sealed record ExperienceRecord
{
    public required string Dataset { get; init; }
    public required string Source { get; init; } // "pack" or "training"
    public required DataCard Card { get; init; }
    public required MetaFeatures Meta { get; init; }
    public required string Family { get; init; }
    public required Dictionary<string, string> Hyperparameters { get; init; }
    public required string Metric { get; init; }
    public required bool HigherIsBetter { get; init; }
    public required double Score { get; init; }
    public double? DefaultScore { get; init; }
    /// <summary>Test scores of every random configuration tried (for the benchmark's baselines).</summary>
    public IReadOnlyList<double> TrialScores { get; init; } = [];
    /// <summary>Test score per portfolio candidate id, for runs that raced candidates: a partial row of the results matrix.</summary>
    public IReadOnlyDictionary<string, double>? CandidateScores { get; init; }
    /// <summary>Validation metric per iteration of the best configuration, subsampled.</summary>
    public IReadOnlyList<ScorePoint> Curve { get; init; } = [];
    public int BestIteration { get; init; }
}

/// <summary>The committed results of really training on the shared datasets: cards and results, never the data.</summary>
public sealed record KnowledgePack(int Version, string Command, string SearchSpace, int Trials, IReadOnlyList<ExperienceRecord> Records);

/// <summary>The text of a card the encoder sees: scale, task, label space, input and output types, description.</summary>
public static class KnowledgeText
{
    public static string For(DataCard card)
    {
        var size = card.Samples is { } n ? $"{CardText.Count(n)} rows" : "unknown size";
        var features = card.Features is { } f ? $", {f} features" : "";
        var labels = card.Task == MlTask.Regression ? $"a real-valued target ({card.LabelColumn})" : $"classes {Shorten(card.LabelSpace, 200)}";
        return $"{card.Name}: {TaskDefaults.Display(card.Task)} on {card.Modality.ToString().ToLowerInvariant()} data, {size}{features}; predicts {labels}; metric {card.PrimaryMetric}. {Shorten(card.Description, 600)}";
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>A point of a learning curve.</summary>
public sealed record ScorePoint(int Iteration, double Value);

/// <summary>
/// Where finished training runs become experience. Training jobs write through this and never hold the knowledge
/// base, which stays the one writer of the experience store (Knowledge sits below TrainingJobs, not beside it).
/// </summary>
public interface IExperienceSink
{
    void Add(ExperienceRecord record);
}

/// <summary>What training jobs read from the knowledge: the results-matrix advisor (race plans) and the metric forecaster (probes).</summary>
public interface IPortfolioKnowledge
{
    Portfolio.PortfolioAdvisor? Portfolio { get; }
    Portfolio.MetricForecaster? Forecaster { get; }
}
