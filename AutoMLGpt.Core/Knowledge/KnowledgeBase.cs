using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge.Encoders;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Knowledge;

/// <summary>How similar datasets are found and weighted, section <c>Knowledge</c>.</summary>
public sealed class KnowledgeOptions
{
    public const string Section = "Knowledge";

    /// <summary>Share of the card-text similarity in the blend; the rest is meta-feature similarity.</summary>
    public double TextWeight { get; set; } = 0.5;

    /// <summary>How many neighbours a transfer combines.</summary>
    public int Neighbours { get; set; } = 3;

    /// <summary>Softmax temperature turning similarities into weights; lower is more decisive.</summary>
    public double Temperature { get; set; } = 0.05;

    /// <summary>Below this blended similarity to the nearest neighbour, the recommendation is flagged as extrapolation.</summary>
    public double ExtrapolationBelow { get; set; } = 0.6;
}

/// <summary>A similar past dataset: how similar by text and by statistics, its weight, and what drove the match.</summary>
public sealed record Neighbour(ExperienceRecord Record, double TextSimilarity, double MetaSimilarity, double Similarity, double Weight, IReadOnlyList<string> Drivers);

/// <summary>A transfer: the neighbours, the combined hyperparameters with bands, the expected score, and a warning flag.</summary>
public sealed record Recommendation(IReadOnlyList<Neighbour> Neighbours, IReadOnlyList<TransferredValue> Values,
    (double Value, double Low, double High)? Score, string Metric, bool Extrapolating, string Encoder, double TextWeight)
{
    public string Summary => string.Join(", ", Neighbours.Where(n => n.Weight >= 0.005).Select(n => $"{HyperparameterTransfer.Percent(n.Weight)} {n.Record.Dataset}"));
}

/// <summary>
/// The experience store in memory: the committed knowledge pack plus every finished training run, their card
/// embeddings in a <see cref="VectorIndex"/>, and the similarity search and transfer on top.
/// </summary>
public sealed partial class KnowledgeBase : IExperienceSink, IPortfolioKnowledge
{
    private readonly TextEncoder _encoder;
    private readonly KnowledgeOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<ExperienceRecord> _records = [];
    private VectorIndex? _index;

    public KnowledgeBase(TextEncoder encoder, KnowledgeOptions options, ILogger<KnowledgeBase> logger, IEnumerable<ExperienceRecord>? records = null)
    {
        (_encoder, _options, _logger) = (encoder, options, logger);
        if (records is not null) _records.AddRange(records);
    }

    public EncoderInfo Encoder => _encoder.Info;

    /// <summary>Zero-shot choosing and the few-shot race over the results matrix; null when no matrix is loaded.</summary>
    public Portfolio.PortfolioAdvisor? Portfolio { get; private set; }

    /// <summary>The calibrated predicted metric; null when no matrix is loaded.</summary>
    public Portfolio.MetricForecaster? Forecaster { get; private set; }

    /// <summary>Attaches the results matrix: recommendations then choose among evaluated configurations.</summary>
    public KnowledgeBase WithPortfolio(Portfolio.ResultsMatrix matrix, Portfolio.PortfolioOptions? options = null)
    {
        Portfolio = new Portfolio.PortfolioAdvisor(matrix, this, options ?? new Portfolio.PortfolioOptions());
        Forecaster = new Portfolio.MetricForecaster(Portfolio);
        return this;
    }
    public KnowledgeOptions Options => _options;

    public int RecordCount { get { lock (_gate) return _records.Count; } }

    public IReadOnlyList<ExperienceRecord> Records { get { EnsureIndex(); lock (_gate) return _records.ToList(); } }

    /// <summary>The knowledge pack committed with the app.</summary>
    public static KnowledgePack LoadEmbeddedPack()
    {
        using var stream = typeof(KnowledgeBase).Assembly.GetManifestResourceStream(StaticTableEncoder.ResourcePrefix + "knowledge-pack.json")
            ?? throw new FileNotFoundException("The knowledge pack is missing from the assembly.");
        return JsonSerializer.Deserialize<KnowledgePack>(stream, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidDataException("The knowledge pack is empty.");
    }

    private void EnsureIndex()
    {
        if (_index is not null) return;
        lock (_gate)
        {
            if (_index is not null) return;
            var index = new VectorIndex(_encoder.Info.Dimensions);
            foreach (var v in _encoder.Encode(_records.Select(r => KnowledgeText.For(r.Card)).ToList())) index.Add(v);
            _index = index;
            _logger.LogInformation("Knowledge base: {Count} experiences indexed with {Encoder}", _records.Count, _encoder.Info.Id);
        }
    }

    /// <summary>Adds an experience (e.g. a finished training run) to the index.</summary>
    public void Add(ExperienceRecord record)
    {
        EnsureIndex();
        var vector = _encoder.Encode(KnowledgeText.For(record.Card));
        lock (_gate)
        {
            _records.Add(record);
            _index!.Add(vector);
        }
    }

    /// <summary>The most similar past datasets, blending card-text and meta-feature similarity.</summary>
    /// <param name="exclude">Datasets to leave out (leave-one-out evaluation, or a user dropping one).</param>
    public IReadOnlyList<Neighbour> FindSimilar(DataCard card, MetaFeatures? meta = null, string? family = null, int? k = null, double? textWeight = null, IReadOnlySet<string>? exclude = null)
    {
        EnsureIndex();
        meta ??= MetaFeatures.FromCard(card);
        var w = Math.Clamp(textWeight ?? _options.TextWeight, 0, 1);
        var query = _encoder.Encode(KnowledgeText.For(card));
        List<ExperienceRecord> records;
        lock (_gate) records = _records.ToList();
        var candidates = new List<(int Position, double Text, double Meta, double Blend)>();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            if (exclude?.Contains(r.Dataset) == true || (family is not null && r.Family != family)) continue;
            var text = Math.Clamp(_index!.Similarity(query, i), -1, 1);
            var m = meta.Similarity(r.Meta);
            candidates.Add((i, text, m, w * text + (1 - w) * m));
        }
        var top = candidates.OrderByDescending(c => c.Blend).Take(k ?? _options.Neighbours).ToList();
        if (top.Count == 0) return [];
        var max = top[0].Blend;
        var exp = top.Select(c => Math.Exp((c.Blend - max) / _options.Temperature)).ToList();
        var sum = exp.Sum();
        return top.Select((c, j) => new Neighbour(records[c.Position], c.Text, c.Meta, c.Blend, exp[j] / sum, Drivers(card, meta, records[c.Position]))).ToList();
    }

    /// <summary>Transfers the neighbours' best hyperparameters of a family, with the weights given or computed.</summary>
    public Recommendation? Recommend(DataCard card, string family, MetaFeatures? meta = null, IReadOnlyList<Neighbour>? neighbours = null, double? textWeight = null, IReadOnlySet<string>? exclude = null)
    {
        neighbours ??= FindSimilar(card, meta, family, textWeight: textWeight, exclude: exclude);
        if (neighbours.Count == 0) return null;
        var weighted = neighbours.Select(n => new WeightedNeighbour(n.Record, n.Weight)).ToList();
        var values = HyperparameterTransfer.Transfer(weighted);
        var score = HyperparameterTransfer.Score(weighted, card.PrimaryMetric);
        return new Recommendation(neighbours, values, score, card.PrimaryMetric, neighbours.Max(n => n.Similarity) < _options.ExtrapolationBelow,
            _encoder.Info.Id, textWeight ?? _options.TextWeight);
    }

    /// <summary>
    /// The user's own mix: neighbours dropped or re-weighted by hand, weights renormalised; with none left, an empty
    /// transfer that says it extrapolates.
    /// </summary>
    public Recommendation RecommendWithWeights(DataCard card, string family, IEnumerable<(Neighbour Neighbour, double Weight)> chosen)
    {
        var kept = chosen.Where(c => c.Weight > 0).ToList();
        var total = kept.Sum(c => c.Weight);
        return kept.Count == 0
            ? new Recommendation([], [], null, card.PrimaryMetric, true, _encoder.Info.Id, _options.TextWeight)
            : Recommend(card, family, neighbours: kept.Select(c => c.Neighbour with { Weight = c.Weight / total }).ToList())!;
    }

    // Which parts of the cards made them similar: matching statistics and shared distinctive words.
    private static IReadOnlyList<string> Drivers(DataCard card, MetaFeatures meta, ExperienceRecord other)
    {
        var drivers = new List<string>();
        if (meta.Task == other.Meta.Task) drivers.Add($"same task ({TaskDefaults.Display(meta.Task)})");
        if (meta.Rows is { } r && other.Meta.Rows is { } o && Math.Abs(Math.Log10(r) - Math.Log10(o)) < 0.5) drivers.Add($"similar size ({CardText.Count(r)} vs {CardText.Count(o)} rows)");
        if (meta.Features is { } f && other.Meta.Features is { } g && Math.Abs(Math.Log10(f + 1) - Math.Log10(g + 1)) < 0.3) drivers.Add($"similar width ({f} vs {g} features)");
        if (meta.NumericShare is { } a && other.Meta.NumericShare is { } b && Math.Abs(a - b) < 0.2) drivers.Add($"similar numeric share ({a:P0} vs {b:P0})");
        var shared = Words(KnowledgeText.For(card)).Intersect(Words(KnowledgeText.For(other.Card))).Take(5).ToList();
        if (shared.Count > 0) drivers.Add("shared words: " + string.Join(", ", shared));
        return drivers;
    }

    private static readonly HashSet<string> Stop = ["the", "and", "with", "from", "data", "rows", "features", "metric", "predicts", "classes", "classification", "tabular", "binary", "whether", "which", "that", "this", "their", "each", "were", "into", "about", "value", "values", "class"];

    private static IEnumerable<string> Words(string text) =>
        WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).Where(w => w.Length > 3 && !Stop.Contains(w)).Distinct();

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex WordPattern();
}
