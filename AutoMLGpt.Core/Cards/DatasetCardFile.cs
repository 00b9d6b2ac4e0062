using System.Globalization;
using System.Text.Json;

namespace AutoMLGpt.Core.Cards;

/// <summary>A dataset folder's <c>datacard.json</c> (the format of the shared benchmark datasets), imported as our card.</summary>
public sealed record DatasetCardFile(DataCard Card, string Source, string License, (int Start, int End)? TrainRange, (int Start, int End)? TestRange, string? PositiveClass)
{
    /// <summary>Rows per class, for classification datasets.</summary>
    public IReadOnlyDictionary<string, long> ClassCounts { get; init; } = new Dictionary<string, long>();

    /// <summary>Missing cells in the whole table.</summary>
    public long MissingCells { get; init; }

    public const long MaxBytes = 1_000_000;

    public static DatasetCardFile Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"No data card at {path}.");
        if (info.Length > MaxBytes) throw new InvalidDataException($"{Path.GetFileName(path)} is {info.Length:N0} bytes; data cards are at most {MaxBytes:N0}.");
        return Parse(File.ReadAllText(path));
    }

    public static DatasetCardFile Parse(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        var root = doc.RootElement;
        string Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
        long? Long(string name) => root.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : null;
        var task = Str("task") switch
        {
            "binary-classification" => MlTask.BinaryClassification,
            "multiclass-classification" => MlTask.MulticlassClassification,
            "regression" => MlTask.Regression,
            var t => throw new InvalidDataException($"Unknown task \"{t}\" in the data card."),
        };
        var types = root.TryGetProperty("featureTypes", out var ft) && ft.ValueKind == JsonValueKind.Object
            ? ft.EnumerateObject().Select(p => (p.Name, Type: p.Value.GetString() ?? "")).ToList() : [];
        var labels = root.TryGetProperty("labelSpace", out var ls) && ls.ValueKind == JsonValueKind.Array
            ? ls.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList() : [];
        var label = Str("label");
        var card = new DataCard
        {
            Name = Str("name"),
            Modality = DataModality.Tabular,
            Task = task,
            LabelSpace = task == MlTask.Regression ? $"real value ({label})" : string.Join(", ", labels.Select(l => l.Replace(",", ";"))),
            Metrics = Str("evalMetric"),
            Samples = Long("rows"),
            Features = (int?)Long("features"),
            LabelColumn = label,
            NumericColumns = string.Join(", ", types.Where(t => t.Type == "numeric").Select(t => t.Name)),
            CategoricalColumns = string.Join(", ", types.Where(t => t.Type != "numeric").Select(t => t.Name)),
            Description = Str("description"),
        };
        (int, int)? Range(string part)
        {
            if (!root.TryGetProperty("standardSplit", out var split) || !split.TryGetProperty(part, out var r) || r.GetArrayLength() != 2) return null;
            return (r[0].GetInt32(), r[1].GetInt32());
        }
        var positive = Str("positiveClass");
        var counts = root.TryGetProperty("classCounts", out var cc) && cc.ValueKind == JsonValueKind.Object
            ? cc.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64()) : new Dictionary<string, long>();
        return new DatasetCardFile(card, Str("source"), Str("license"), Range("train"), Range("test"), positive.Length > 0 ? positive : null)
        {
            ClassCounts = counts,
            MissingCells = Long("missingValues") ?? 0,
        };
    }
}
