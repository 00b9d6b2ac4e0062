using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Reports;

/// <summary>
/// An experiment written up as one Markdown document to share: the cards, the prompt paragraph, each stage's
/// output, the hyperparameters, the predicted and real curves as images, the metrics and the chat.
/// </summary>
public static partial class ExperimentReport
{
    /// <summary>Images inline as data URIs: one self-contained file.</summary>
    public static string InlineImage(string name, string svg) =>
        "data:image/svg+xml;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes(svg));

    /// <param name="image">Given a chart's file name and SVG, returns the link to put in the Markdown (a data URI, or a path in a bundle).</param>
    public static string Build(ReviewedExperiment item, Func<string, string, string> image)
    {
        var d = item.Details;
        var sb = new StringBuilder();
        sb.Append("# ").Append(Line(d.Name)).Append("\n\n");
        sb.Append("| | |\n|---|---|\n");
        Row(sb, "engine", d.CurrentRevision?.Engine ?? d.Engine);
        foreach (var (key, value) in d.CurrentRevision?.EngineSettings ?? new Dictionary<string, string>())
            if (key != "engine") Row(sb, key.Replace('_', ' '), value);
        Row(sb, "status", d.Status.ToString().ToLowerInvariant());
        Row(sb, "revision", $"{d.Revision} of {d.LatestRevision}" + (d.CurrentRevision is { } r ? $" ({r.Reason})" : ""));
        Row(sb, "created", d.CreatedUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        if (d.Usage is { Input: > 0 } or { Output: > 0 }) Row(sb, "tokens (in / out)", $"{d.Usage.Input:N0} / {d.Usage.Output:N0}");
        sb.Append('\n');
        if (!string.IsNullOrWhiteSpace(d.Notes)) sb.Append("## Notes\n\n").Append(Safe(d.Notes)).Append("\n\n");

        var data = d.Cards.Data;
        sb.Append("## Data card\n\n| | |\n|---|---|\n");
        Row(sb, "dataset", data.Name);
        Row(sb, "input", data.Modality.ToString().ToLowerInvariant());
        Row(sb, "task", TaskDefaults.Display(data.Task));
        Row(sb, "label space", data.LabelSpace);
        Row(sb, "metrics", data.Metrics);
        if (data.Samples is { } n) Row(sb, "samples", n.ToString("N0", CultureInfo.InvariantCulture));
        if (data.Features is { } f) Row(sb, "features", f.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrWhiteSpace(data.Resolution)) Row(sb, "resolution", data.Resolution);
        if (!string.IsNullOrWhiteSpace(data.LabelColumn)) Row(sb, "label column", data.LabelColumn);
        if (!string.IsNullOrWhiteSpace(data.License)) Row(sb, "license", data.License);
        Row(sb, "description", data.Description);
        sb.Append('\n');

        var model = d.Cards.Model;
        sb.Append("## Model card\n\n| | |\n|---|---|\n");
        Row(sb, "model", model.Name);
        Row(sb, "structure", model.Structure);
        Row(sb, "description", model.Description);
        foreach (var p in model.Parameters.Where(p => p.Key.Trim().Length > 0)) Row(sb, $"`{Code(p.Key)}`", p.Value, codeLabel: true);
        sb.Append('\n');
        sb.Append("**Requests:** ").Append(Line(Safe(d.Cards.Request.Requests))).Append("  \n**Resources:** ").Append(Line(Safe(d.Cards.Request.Resources))).Append("\n\n");
        sb.Append("## Prompt paragraph\n\n> ").Append(Safe(d.PromptParagraph).ReplaceLineEndings("\n> ")).Append("\n\n");

        foreach (var stage in StageNames.InOrder)
        {
            var saved = d.Stage(stage);
            sb.Append("## ").Append(StageNames.Title(stage));
            if (saved is not null && saved.Status != RunStatus.Succeeded) sb.Append(" (").Append(saved.Status.ToString().ToLowerInvariant()).Append(')');
            sb.Append("\n\n");
            if (saved is null) { sb.Append("_Not run._\n\n"); continue; }
            if (saved.Error is { Length: > 0 } error) sb.Append("> ").Append(Line(Safe(error))).Append("\n\n");
            switch (stage)
            {
                case StageKind.DataProcessing:
                    Fence(sb, "python", saved.Output.Text);
                    break;
                case StageKind.ModelArchitecture:
                    sb.Append(Safe(saved.Output.Text).Trim()).Append("\n\n");
                    break;
                case StageKind.Hyperparameters when saved.Output.Hyperparameters is { Count: > 0 } rows:
                    sb.Append("| hyperparameter | value | type | range | rationale |\n|---|---|---|---|---|\n");
                    foreach (var h in rows)
                        sb.Append("| `").Append(Code(h.Name)).Append("` | `").Append(Code(h.Value)).Append("` | ").Append(Cell(h.Type)).Append(" | ")
                          .Append(Cell(h.Range)).Append(" | ").Append(Cell(h.Rationale)).Append(" |\n");
                    sb.Append('\n');
                    break;
                case StageKind.TrainingLog:
                    if (saved.Output.Curve is { Points.Count: > 0 } c)
                    {
                        var svg = SvgLineChart.Render(
                            [new ChartLine("predicted", SvgLineChart.Palette[0], c.Points.Select(p => (double)p.Step).ToList(), c.Points.Select(p => p.ValidMetric).ToList(), Dashed: true)],
                            c.StepUnit, c.Low, c.High, standalone: true);
                        sb.Append("![Predicted validation ").Append(Cell(c.Metric)).Append("](").Append(image("predicted-curve.svg", svg)).Append(")\n\n");
                        sb.Append(CultureInfo.InvariantCulture, $"Predicted final {Cell(c.Metric)}: **{F(c.Final)}** (range {F(c.Low)}–{F(c.High)}). Basis: {Line(Safe(c.Basis))}\n\n");
                    }
                    Fence(sb, "text", saved.Output.Text);
                    break;
                default:
                    Fence(sb, "text", saved.Output.Text);
                    break;
            }
        }

        if (item.LatestTrained is { Result: { } result } job)
        {
            sb.Append("## Real training (LightGBM)\n\n");
            var series = new List<ChartLine> { new("real (validation)", SvgLineChart.Palette[1], job.Curve.Select(x => (double)x.Iteration).ToList(), job.Curve.Select(x => x.ValidMetric).ToList()) };
            if (item.Predicted is { Points.Count: > 0 } p)
                series.Insert(0, new ChartLine("predicted (stage D)", SvgLineChart.Palette[0], p.Points.Select(x => (double)x.Step).ToList(), p.Points.Select(x => x.ValidMetric).ToList(), Dashed: true));
            sb.Append("![Real and predicted validation curves](").Append(image("real-curve.svg", SvgLineChart.Render(series, "iteration", standalone: true))).Append(")\n\n");
            sb.Append("| test metric | value |\n|---|---|\n");
            foreach (var (name, value) in result.Test.Named()) Row(sb, name, F(value));
            if (job.PredictedFinal is { } predicted) Row(sb, $"predicted {job.MetricName} (stage D)", F(predicted));
            if (result.Baseline?.Get(job.MetricName) is { } baseline) Row(sb, $"{result.BaselineTrainer} baseline {job.MetricName}", F(baseline));
            Row(sb, "best iteration", $"{result.BestIteration} of {result.Iterations}");
            Row(sb, "training time", $"{result.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
            Row(sb, "split", result.Split);
            sb.Append('\n');
        }

        if (d.Messages.Count > 0)
        {
            sb.Append("## Chat\n\n");
            foreach (var m in d.Messages)
                sb.Append("**").Append(m.Role).Append(m.Revision is { } rev ? $" → revision {rev}" : "").Append(":** ").Append(Safe(m.Content).Trim()).Append("\n\n");
        }
        if (d.Revisions.Count > 1)
        {
            sb.Append("## Revisions\n\n| # | from | why | engine | status |\n|---|---|---|---|---|\n");
            foreach (var rv in d.Revisions)
                sb.Append(CultureInfo.InvariantCulture, $"| {rv.Number} | {rv.ParentNumber?.ToString(CultureInfo.InvariantCulture) ?? "—"} | {Cell(rv.Reason)} | {Cell(rv.Engine)} | {rv.Status.ToString().ToLowerInvariant()} |\n");
            sb.Append('\n');
        }
        sb.Append("_Report exported by AutoML-GPT for .NET._\n");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string label, string? value, bool codeLabel = false) =>
        sb.Append("| ").Append(codeLabel ? label : Cell(label)).Append(" | ").Append(Cell(value ?? "")).Append(" |\n");

    /// <summary>A fenced block whose fence is longer than any backtick run inside, so model output cannot close it.</summary>
    private static void Fence(StringBuilder sb, string language, string text)
    {
        var longest = Backticks().Matches(text).Select(m => m.Length).DefaultIfEmpty(0).Max();
        var fence = new string('`', Math.Max(3, longest + 1));
        sb.Append(fence).Append(language).Append('\n').Append(text.TrimEnd()).Append('\n').Append(fence).Append("\n\n");
    }

    /// <summary>
    /// Text from users or a model may hold HTML; in a shared report it must show as text, whatever renders it.
    /// A backslash before &lt; keeps it literal in CommonMark; code spans are left as they are.
    /// </summary>
    internal static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        var inCode = false;
        foreach (var ch in text)
        {
            if (ch == '`') inCode = !inCode;
            if (!inCode && ch == '<') sb.Append('\\');
            sb.Append(ch);
        }
        return sb.ToString();
    }

    private static string Line(string? s) => (s ?? "").ReplaceLineEndings(" ").Trim();
    private static string Cell(string? s) => Safe(Line(s)).Replace("|", "\\|");
    private static string Code(string s) => Line(s).Replace("`", "'").Replace("|", "\\|");
    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    [GeneratedRegex("`+")]
    private static partial Regex Backticks();
}
