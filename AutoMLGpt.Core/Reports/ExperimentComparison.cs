using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;

namespace AutoMLGpt.Core.Reports;

/// <summary>One compared quantity: a value per experiment, in the order given.</summary>
public sealed record ComparisonRow(string Section, string Label, IReadOnlyList<string> Values)
{
    public const string Missing = "—";
    public bool Differs => Values.Distinct(StringComparer.Ordinal).Skip(1).Any();
}

/// <summary>
/// Lines up two or more experiments: cards, prompt paragraphs, hyperparameters and metrics, one row per quantity,
/// with every row's values in the same order as the experiments. "Differences only" keeps the rows that differ.
/// </summary>
public static class ExperimentComparison
{
    public static IReadOnlyList<ComparisonRow> Rows(IReadOnlyList<ReviewedExperiment> items, bool differencesOnly = false)
    {
        var rows = new List<ComparisonRow>();
        void Add(string section, string label, Func<ReviewedExperiment, string?> value) =>
            rows.Add(new ComparisonRow(section, label, items.Select(i => Show(value(i))).ToList()));

        Add("Experiment", "engine", i => i.Details.CurrentRevision?.Engine ?? i.Details.Engine);
        foreach (var key in Union(items, i => i.Details.CurrentRevision?.EngineSettings?.Keys ?? []).Where(k => k != "engine"))
            Add("Experiment", $"engine {key.Replace('_', ' ')}", i => i.Details.CurrentRevision?.EngineSettings?.GetValueOrDefault(key));
        Add("Experiment", "status", i => i.Details.Status.ToString().ToLowerInvariant());
        Add("Experiment", "tags", i => i.Details.TagList.Count == 0 ? null : string.Join(", ", i.Details.TagList));
        Add("Experiment", "revision", i => $"{i.Details.Revision} of {i.Details.LatestRevision}");
        Add("Experiment", "follow-ups", i => i.Details.CurrentRevision?.FollowUp);

        Add("Data card", "dataset", i => i.Details.Cards.Data.Name);
        Add("Data card", "input", i => i.Details.Cards.Data.Modality.ToString().ToLowerInvariant());
        Add("Data card", "task", i => TaskDefaults.Display(i.Details.Cards.Data.Task));
        Add("Data card", "label space", i => i.Details.Cards.Data.LabelSpace);
        Add("Data card", "metrics", i => i.Details.Cards.Data.Metrics);
        Add("Data card", "samples", i => i.Details.Cards.Data.Samples?.ToString("N0", CultureInfo.InvariantCulture));
        Add("Data card", "features", i => i.Details.Cards.Data.Features?.ToString(CultureInfo.InvariantCulture));
        Add("Data card", "resolution", i => i.Details.Cards.Data.Resolution);
        Add("Data card", "label column", i => i.Details.Cards.Data.LabelColumn);
        Add("Data card", "categorical columns", i => i.Details.Cards.Data.CategoricalColumns);
        Add("Data card", "numeric columns", i => i.Details.Cards.Data.NumericColumns);
        Add("Data card", "description", i => i.Details.Cards.Data.Description);

        Add("Model card", "model", i => i.Details.Cards.Model.Name);
        Add("Model card", "structure", i => i.Details.Cards.Model.Structure);
        Add("Model card", "description", i => i.Details.Cards.Model.Description);
        foreach (var key in Union(items, i => i.Details.Cards.Model.Parameters.Where(p => p.Key.Trim().Length > 0).Select(p => p.Key.Trim())))
            Add("Model card", key, i => i.Details.Cards.Model.Parameter(key));

        Add("Request", "requests", i => i.Details.Cards.Request.Requests);
        Add("Request", "resources", i => i.Details.Cards.Request.Resources);
        Add("Prompt", "prompt paragraph", i => i.Details.PromptParagraph);

        var tables = items.Select(i => i.Details.Stage(StageKind.Hyperparameters)?.Output.Hyperparameters ?? []).ToList();
        foreach (var name in Union(items, i => (i.Details.Stage(StageKind.Hyperparameters)?.Output.Hyperparameters ?? []).Select(h => h.Name)))
            rows.Add(new ComparisonRow("Hyperparameters", name,
                tables.Select(t => Show(t.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase))?.Value)).ToList()));

        Add("Metrics", "predicted metric", i => i.Predicted?.Metric);
        Add("Metrics", "predicted final", i => i.Predicted is { } c ? $"{F(c.Final)} ({F(c.Low)}–{F(c.High)})" : null);
        foreach (var name in Union(items, i => i.LatestTrained?.Result?.Test.Named().Select(m => m.Name) ?? []))
            Add("Metrics", $"real test {name}", i => i.LatestTrained?.Result?.Test.Named().Where(m => m.Name == name).Select(m => F(m.Value)).FirstOrDefault());
        Add("Metrics", "real best iteration", i => i.LatestTrained?.Result is { } r ? $"{r.BestIteration} of {r.Iterations}" : null);
        Add("Metrics", "training seconds", i => i.LatestTrained?.Result is { } r ? r.Seconds.ToString("0.0", CultureInfo.InvariantCulture) : null);
        Add("Metrics", "tokens (in / out)", i => i.Details.Usage is { Input: > 0 } or { Output: > 0 } ? $"{i.Details.Usage.Input:N0} / {i.Details.Usage.Output:N0}" : null);

        return differencesOnly ? rows.Where(r => r.Differs).ToList() : rows;
    }

    /// <summary>The validation curves of every experiment in one chart: predicted dashed, real solid, one colour each.</summary>
    public static IReadOnlyList<ChartLine> Curves(IReadOnlyList<ReviewedExperiment> items) => CurveGroups.For(items, groupRepeats: false).Lines;

    private static IEnumerable<string> Union(IEnumerable<ReviewedExperiment> items, Func<ReviewedExperiment, IEnumerable<string>> keys) =>
        items.SelectMany(keys).Distinct(StringComparer.OrdinalIgnoreCase);

    private static string Show(string? value) => string.IsNullOrWhiteSpace(value) ? ComparisonRow.Missing : value.Trim();
    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
