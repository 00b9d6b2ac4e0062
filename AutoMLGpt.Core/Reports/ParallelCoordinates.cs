using System.Globalization;
using System.Security;
using System.Text;

namespace AutoMLGpt.Core.Reports;

/// <summary>
/// A parallel-coordinates plot over compared experiments: one vertical axis per hyperparameter (stage C of the shown
/// revision) plus the metric (measured where there is a real run, else predicted), one line per experiment. Numeric
/// axes are scaled to their range; text values sit at evenly spaced positions. Drawn as an SVG with its own text escaped.
/// </summary>
public static class ParallelCoordinates
{
    public const string MetricAxis = "metric";
    private const int W = 900, H = 330, Left = 50, Right = 50, Top = 46, Bottom = 40;

    /// <summary>Every axis that can be drawn: the union of the hyperparameter names, then the metric.</summary>
    public static IReadOnlyList<string> Axes(IReadOnlyList<ReviewedExperiment> items) =>
        [.. items.SelectMany(i => Hyperparameters(i).Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal), MetricAxis];

    /// <summary>The axes whose values differ between the experiments (what the plot pre-selects), the metric always.</summary>
    public static IReadOnlyList<string> Differing(IReadOnlyList<ReviewedExperiment> items) =>
        Axes(items).Where(a => a == MetricAxis || items.Select(i => Value(i, a) ?? "").Distinct(StringComparer.Ordinal).Count() > 1).ToList();

    public static string? Value(ReviewedExperiment item, string axis) =>
        axis == MetricAxis ? Metric(item)?.ToString("0.####", CultureInfo.InvariantCulture) : Hyperparameters(item).GetValueOrDefault(axis);

    public static string Svg(IReadOnlyList<ReviewedExperiment> items, IReadOnlyList<string> axes)
    {
        if (items.Count == 0 || axes.Count == 0) return "";
        var step = axes.Count == 1 ? 0 : (W - Left - Right) / (double)(axes.Count - 1);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart parallel\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"Parallel coordinates over {axes.Count} axes\" xmlns=\"http://www.w3.org/2000/svg\">");
        var positions = new List<Func<string?, double?>>();
        for (var a = 0; a < axes.Count; a++)
        {
            var x = Left + a * step;
            var values = items.Select(i => Value(i, axes[a])).ToList();
            var numbers = values.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : (double?)null).ToList();
            var numeric = values.Where(v => v is not null).All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            string low, high;
            if (numeric && numbers.Any(n => n is not null))
            {
                var min = numbers.OfType<double>().Min();
                var max = numbers.OfType<double>().Max();
                var span = max - min;
                positions.Add(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? Y(span == 0 ? 0.5 : (d - min) / span) : null);
                (low, high) = (Format(min), Format(max));
            }
            else
            {
                var categories = values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                positions.Add(v => v is null ? null : Y(categories.Count == 1 ? 0.5 : categories.IndexOf(v) / (double)(categories.Count - 1)));
                (low, high) = (categories.FirstOrDefault() ?? "", categories.LastOrDefault() ?? "");
            }
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{H - Bottom}\" stroke=\"#9e9e9e\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"axis-name\" x=\"{x:0.#}\" y=\"{Top - 22}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\">{Escape(Short(axes[a]))}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{Top - 8}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#616161\">{Escape(Short(high))}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x:0.#}\" y=\"{H - Bottom + 14}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#616161\">{Escape(Short(low))}</text>");
        }
        for (var i = 0; i < items.Count; i++)
        {
            var color = SvgLineChart.Palette[i % SvgLineChart.Palette.Count];
            // A missing value breaks the line, so no experiment is drawn through a value it does not have.
            var segments = new List<List<string>> { new() };
            for (var a = 0; a < axes.Count; a++)
            {
                if (positions[a](Value(items[i], axes[a])) is { } y) segments[^1].Add(string.Create(CultureInfo.InvariantCulture, $"{Left + a * step:0.#},{y:0.#}"));
                else if (segments[^1].Count > 0) segments.Add([]);
            }
            var tooltip = Escape($"#{i + 1} {items[i].Label}: " + string.Join(", ", axes.Select(a => $"{a}={Value(items[i], a) ?? "—"}")));
            foreach (var points in segments.Where(s => s.Count > 0))
                sb.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-experiment=\"{i + 1}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" points=\"{string.Join(' ', points)}\"><title>{tooltip}</title></polyline>");
            foreach (var point in segments.SelectMany(s => s))
                sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{point.Split(',')[0]}\" cy=\"{point.Split(',')[1]}\" r=\"3.5\" fill=\"{color}\"><title>{tooltip}</title></circle>");
        }
        return sb.Append("</svg>").ToString();
    }

    private static double Y(double share) => H - Bottom - share * (H - Top - Bottom);

    private static double? Metric(ReviewedExperiment item) => item.LatestTrained?.RealFinal ?? item.Predicted?.Final;

    private static IReadOnlyDictionary<string, string> Hyperparameters(ReviewedExperiment item) =>
        (item.Details.Stage(Pipeline.StageKind.Hyperparameters)?.Output.Hyperparameters ?? [])
            .GroupBy(h => h.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    private static string Format(double v) => Math.Abs(v) >= 1000 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Short(string s) => s.Length <= 18 ? s : s[..17] + "…";

    private static string Escape(string s) => SecurityElement.Escape(s) ?? "";
}
