using System.Globalization;
using System.Net;
using System.Text;

namespace AutoMLGpt.Core.Reports;

/// <summary>One series of a line chart.</summary>
public sealed record ChartLine(string Name, string Color, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false);

/// <summary>Draws line series as SVG. Every text is HTML-encoded; colours come from code, never from users.</summary>
public static class SvgLineChart
{
    private const int W = 640, Left = 56, Right = 12, Bottom = 26;

    /// <summary>Colours for series that have no meaning of their own (one per compared experiment).</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#5e35b1", "#2e7d32", "#c62828", "#1565c0", "#ef6c00", "#00838f", "#6d4c41", "#ad1457"];

    // The page styles charts with CSS; a chart saved as a file carries the same rules inside it.
    private const string StandaloneStyle =
        "<style>.axis{stroke:#999;stroke-width:1}.grid{stroke:#eee;stroke-width:1}text{font:11px sans-serif;fill:#555}.band{fill:rgba(94,53,177,.12)}</style>" +
        "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";

    /// <param name="standalone">True for an .svg file or an image in a report: styles inline, white background.</param>
    /// <param name="bands">Shaded ranges (a group's mean ± sd), drawn under the lines and listed in the legend.</param>
    /// <param name="yLabel">The metric on the y axis, e.g. "accuracy".</param>
    public static string Render(IReadOnlyList<ChartLine> series, string xLabel, double? bandLow = null, double? bandHigh = null, bool standalone = false,
        IReadOnlyList<ChartBand>? bands = null, string? yLabel = null)
    {
        var drawn = series.Where(s => s.X.Count > 0 && s.X.Count == s.Y.Count).ToList();
        var shaded = (bands ?? []).Where(b => b.X.Count > 0 && b.X.Count == b.Low.Count && b.X.Count == b.High.Count).ToList();
        if (drawn.Count == 0 && shaded.Count == 0) return "";
        var xs = drawn.SelectMany(s => s.X).Concat(shaded.SelectMany(b => b.X)).ToList();
        var ys = drawn.SelectMany(s => s.Y).Concat(shaded.SelectMany(b => b.Low.Concat(b.High))).Concat(new[] { bandLow, bandHigh }.OfType<double>())
            .Where(double.IsFinite).ToList();
        if (ys.Count == 0) return "";
        // Bands whose mean line is drawn share its legend entry; the others (a race's candidates) get a swatch of their own.
        var bandEntries = shaded.Where(b => drawn.All(s => s.Name != b.Name)).ToList();
        // The legend wraps onto as many rows as it needs (a race draws one line per candidate); the plot moves down.
        var legend = new List<(double X, double Y)>();
        double lx = Left + 8.0, ly = 15;
        foreach (var name in drawn.Select(s => s.Name).Concat(bandEntries.Select(b => b.Name)))
        {
            var width = 34 + name.Length * 6.5;
            if (lx > Left + 8.0 && lx + width > W - Right) { lx = Left + 8.0; ly += 14; }
            legend.Add((lx, ly));
            lx += width;
        }
        var Top = (int)ly + 7;
        var H = 198 + Top;
        double xMin = xs.Min(), xMax = Math.Max(xs.Max(), xMin + 1);
        var pad = Math.Max((ys.Max() - ys.Min()) * 0.08, 1e-3);
        double yMin = ys.Min() - pad, yMax = ys.Max() + pad;
        double X(double x) => Left + (W - Left - Right) * (x - xMin) / (xMax - xMin);
        double Y(double y) => Top + (H - Top - Bottom) * (yMax - y) / (yMax - yMin);

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {W} {H}\" preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">");
        if (standalone) sb.Append(StandaloneStyle);
        for (var i = 0; i <= 4; i++)
        {
            var y = Top + (H - Top - Bottom) * i / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{W - Right}\" y1=\"{F(y)}\" y2=\"{F(y)}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{Fmt(yMax - (yMax - yMin) * i / 4.0)}</text>");
        }
        if (bandLow is { } lo && bandHigh is { } hi)
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"band\" x=\"{Left}\" width=\"{W - Left - Right}\" y=\"{F(Y(hi))}\" height=\"{F(Math.Max(1, Y(lo) - Y(hi)))}\"><title>predicted final range {Fmt(lo)}–{Fmt(hi)}</title></rect>");
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{W - Right}\" y1=\"{H - Bottom}\" y2=\"{H - Bottom}\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{H - Bottom}\"/>");
        // x ticks at five places, the axis name after the last; the y axis names its metric.
        for (var i = 0; i <= 4; i++)
        {
            var x = xMin + (xMax - xMin) * i / 4.0;
            var anchor = i == 0 ? "start" : i == 4 ? "end" : "middle";
            var text = i == 4 ? $"{F(x)} {E(xLabel)}" : F(x);
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{F(X(x))}\" x2=\"{F(X(x))}\" y1=\"{H - Bottom}\" y2=\"{H - Bottom + 4}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"x-tick\" x=\"{F(X(x))}\" y=\"{H - 8}\" text-anchor=\"{anchor}\">{text}</text>");
        }
        if (!string.IsNullOrWhiteSpace(yLabel))
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"y-label\" transform=\"rotate(-90)\" x=\"{F(-(Top + (H - Top - Bottom) / 2.0))}\" y=\"11\" text-anchor=\"middle\">{E(yLabel)}</text>");
        foreach (var b in shaded)
        {
            var upper = b.X.Zip(b.High, (x, y) => $"{F(X(x))},{F(Y(y))}");
            var lower = b.X.Zip(b.Low, (x, y) => $"{F(X(x))},{F(Y(y))}").Reverse();
            sb.Append(CultureInfo.InvariantCulture, $"<polygon class=\"group-band\" fill=\"{b.Color}\" fill-opacity=\"0.15\" stroke=\"none\" points=\"{string.Join(" ", upper.Concat(lower))}\"><title>{E(b.Name)}</title></polygon>");
        }
        for (var i = 0; i < drawn.Count; i++)
        {
            var s = drawn[i];
            var (legendX, legendY) = legend[i];
            var dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            var points = string.Join(" ", s.X.Zip(s.Y, (x, y) => $"{F(X(x))},{F(Y(y))}"));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash} points=\"{points}\"><title>{E(s.Name)}</title></polyline>");
            // Hover targets: a point's value in a tooltip (every k-th point, at most 40 per series).
            var every = Math.Max(1, (int)Math.Ceiling(s.X.Count / 40.0));
            for (var k = 0; k < s.X.Count; k += every)
                if (double.IsFinite(s.Y[k]))
                    sb.Append(CultureInfo.InvariantCulture, $"<circle class=\"point\" cx=\"{F(X(s.X[k]))}\" cy=\"{F(Y(s.Y[k]))}\" r=\"4\" fill=\"{s.Color}\" fill-opacity=\"0\"><title>{E(s.Name)} · {E(xLabel)} {F(s.X[k])}: {Fmt(s.Y[k])}</title></circle>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(legendX)}\" x2=\"{F(legendX + 18)}\" y1=\"{F(legendY - 4)}\" y2=\"{F(legendY - 4)}\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(legendX + 22)}\" y=\"{F(legendY)}\">{E(s.Name)}</text>");
        }
        for (var i = 0; i < bandEntries.Count; i++)
        {
            var (legendX, legendY) = legend[drawn.Count + i];
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{F(legendX)}\" y=\"{F(legendY - 9)}\" width=\"18\" height=\"9\" fill=\"{bandEntries[i].Color}\" fill-opacity=\"0.25\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(legendX + 22)}\" y=\"{F(legendY)}\">{E(bandEntries[i].Name)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    private static string Fmt(double v) => Math.Abs(v) >= 100 ? v.ToString("0", CultureInfo.InvariantCulture) : v.ToString("0.###", CultureInfo.InvariantCulture);
}
