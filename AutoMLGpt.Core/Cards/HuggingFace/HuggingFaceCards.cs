using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static AutoMLGpt.Core.Cards.HuggingFace.FrontMatter;

namespace AutoMLGpt.Core.Cards.HuggingFace;

/// <summary>A card read from a file, with notes on what was mapped, guessed or left out.</summary>
public sealed record ImportedCard<T>(T Card, IReadOnlyList<string> Notes, ExperimentRequest? Request = null);

/// <summary>
/// Reads and writes our cards in Hugging Face's card format (README.md with YAML front matter).
/// Standard keys carry what Hugging Face has a field for (pretty_name, license, task_categories, size_categories,
/// dataset_info.features, train-eval-index; model-index, datasets, metrics, base_model, library_name); what it has
/// no field for (architecture hyperparameters, requests, the exact label space and counts) travels under the
/// namespaced key <c>automl_gpt:</c>. On import the namespaced values win, standard keys fill the rest, so a card
/// exported and imported again is identical, and a card written on the Hub imports with its fields mapped.
/// </summary>
public static partial class HuggingFaceCards
{
    public const string Namespace = "automl_gpt";
    private const string MoreInfo = "[More Information Needed]";

    // Hugging Face task categories ↔ our modality and task. The first match for a pair is what we export.
    private static readonly (string Category, DataModality Modality, MlTask? Task)[] Categories =
    [
        ("tabular-classification", DataModality.Tabular, null),
        ("tabular-regression", DataModality.Tabular, MlTask.Regression),
        ("image-classification", DataModality.Image, null),
        ("object-detection", DataModality.Image, MlTask.ObjectDetection),
        ("image-segmentation", DataModality.Image, MlTask.Segmentation),
        ("question-answering", DataModality.Text, MlTask.QuestionAnswering),
        ("text-classification", DataModality.Text, null),
        ("audio-classification", DataModality.Audio, null),
        ("visual-question-answering", DataModality.Multimodal, MlTask.QuestionAnswering),
        ("text-retrieval", DataModality.Text, MlTask.QuestionAnswering),
        ("zero-shot-classification", DataModality.Text, null),
        ("time-series-forecasting", DataModality.Tabular, MlTask.Regression),
        ("text-regression", DataModality.Text, MlTask.Regression),
    ];

    // ---------------------------------------------------------------- dataset cards

    public static ImportedCard<DataCard> ImportDataCard(string text)
    {
        var file = Parse(text);
        var yaml = file.Yaml;
        var ours = Map(Map(yaml, Namespace), "data_card");
        if (Map(Map(yaml, Namespace), "model_card") is not null && ours is null)
            throw new CardImportException("This is a model card (it has automl_gpt.model_card); import it into the model card.");
        if (ours is null && LooksLikeModelCard(yaml))
            throw new CardImportException("This looks like a model card (model-index, base_model or library_name); import it into the model card.");
        var notes = new List<string>();
        var info = DatasetInfo(yaml);
        var features = Features(info);
        var evalIndex = List(yaml, "train-eval-index").OfType<Dictionary<string, object?>>().FirstOrDefault();
        var colMapping = Map(evalIndex, "col_mapping");

        var card = new DataCard { Name = Str(yaml, "pretty_name") ?? Heading(file.Body, "Dataset Card for ") ?? Str(info, "dataset_name") ?? "" };
        card.License = Str(yaml, "license");

        // Label column: the one train-eval-index maps to the target, else the feature with class names, else "label".
        var label = colMapping?.FirstOrDefault(kv => kv.Value is "target" or "label" or "labels").Key
                    ?? features.FirstOrDefault(f => f.Classes.Count > 0)?.Name
                    ?? features.FirstOrDefault(f => f.Name is "label" or "target")?.Name;
        var labelFeature = features.FirstOrDefault(f => f.Name == label);
        var inputs = features.Where(f => f.Name != label).ToList();

        var (modality, task) = TaskFrom(yaml, labelFeature?.Classes.Count ?? 0, notes);
        card.Modality = modality;
        card.Task = task;
        card.LabelSpace = labelFeature is { Classes.Count: > 0 } ? string.Join(", ", labelFeature.Classes)
            : task == MlTask.Regression && label is not null ? $"real value ({label})" : "";
        if (card.LabelSpace.Length == 0) notes.Add("The card names no classes; fill the label space.");
        card.Metrics = string.Join(", ", List(evalIndex, "metrics").Select(m => m switch
        {
            Dictionary<string, object?> d => Str(d, "type") ?? Str(d, "name"),
            string s => s,
            _ => null,
        }).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase));
        if (card.Metrics.Length == 0) card.Metrics = TaskDefaults.Metric(task);

        var splitRows = List(info, "splits").OfType<Dictionary<string, object?>>()
            .Select(s => long.TryParse(Str(s, "num_examples"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0).Sum();
        if (splitRows > 0) card.Samples = splitRows;
        else if (Strings(yaml, "size_categories").FirstOrDefault() is { } size)
            notes.Add($"size_categories gives a range ({size}), not a count; fill the number of samples.");
        card.LabelColumn = label;
        // Column counts and lists describe tables; an image dataset's "features" are a path and the pixels.
        if (inputs.Count > 0 && modality == DataModality.Tabular)
        {
            card.Features = inputs.Count;
            card.NumericColumns = string.Join(", ", inputs.Where(f => f.Numeric).Select(f => f.Name));
            card.CategoricalColumns = string.Join(", ", inputs.Where(f => !f.Numeric).Select(f => f.Name));
        }
        card.Description = Description(file.Body, ["Dataset Summary", "Dataset Description"], notes);

        if (ours is not null) ApplyOurs(card, ours);
        return new ImportedCard<DataCard>(card, notes);
    }

    public static string ExportDataCard(DataCard card)
    {
        var yaml = new Dictionary<string, object?> { ["pretty_name"] = card.Name };
        if (!string.IsNullOrWhiteSpace(card.License)) yaml["license"] = card.License;
        yaml["task_categories"] = new List<object?> { CategoryFor(card.Modality, card.Task) };
        if (card.Task == MlTask.BinaryClassification) yaml["task_ids"] = new List<object?> { "binary-classification" };
        else if (card.Task == MlTask.MulticlassClassification) yaml["task_ids"] = new List<object?> { "multi-class-classification" };
        if (card.Samples is { } n) yaml["size_categories"] = new List<object?> { SizeCategory(n) };

        var features = new List<object?>();
        foreach (var c in card.NumericColumnList) features.Add(new Dictionary<string, object?> { ["name"] = c, ["dtype"] = "float64" });
        foreach (var c in card.CategoricalColumnList) features.Add(new Dictionary<string, object?> { ["name"] = c, ["dtype"] = "string" });
        if (!string.IsNullOrWhiteSpace(card.LabelColumn))
        {
            object? dtype = card.IsClassification && card.Classes.Count > 0 && CardText.LeadingCount(card.LabelSpace) is null
                ? new Dictionary<string, object?>
                {
                    ["class_label"] = new Dictionary<string, object?>
                    {
                        ["names"] = card.Classes.Select((c, i) => (c, i)).ToDictionary(x => x.i.ToString(CultureInfo.InvariantCulture), x => (object?)x.c),
                    },
                }
                : card.IsClassification ? "string" : "float64";
            features.Add(new Dictionary<string, object?> { ["name"] = card.LabelColumn, ["dtype"] = dtype });
        }
        if (features.Count > 0) yaml["dataset_info"] = new Dictionary<string, object?> { ["features"] = features };

        var evalIndex = new Dictionary<string, object?> { ["config"] = "default", ["task"] = CategoryFor(card.Modality, card.Task) };
        if (!string.IsNullOrWhiteSpace(card.LabelColumn)) evalIndex["col_mapping"] = new Dictionary<string, object?> { [card.LabelColumn] = "target" };
        evalIndex["metrics"] = card.MetricList.Select(m => (object?)new Dictionary<string, object?> { ["type"] = MetricId(m), ["name"] = m }).ToList();
        yaml["train-eval-index"] = new List<object?> { evalIndex };

        var body = DataCardBody(card);
        var ours = new Dictionary<string, object?>
        {
            ["modality"] = card.Modality.ToString(),
            ["task"] = card.Task.ToString(),
            ["label_space"] = card.LabelSpace,
            ["metrics"] = card.Metrics,
            ["samples"] = card.Samples?.ToString(CultureInfo.InvariantCulture),
            ["features"] = card.Features?.ToString(CultureInfo.InvariantCulture),
            ["resolution"] = card.Resolution,
            ["label_column"] = card.LabelColumn,
            ["categorical_columns"] = card.CategoricalColumns,
            ["numeric_columns"] = card.NumericColumns,
        };
        // The description travels in the body; only when the body could not give it back exactly does it go here too.
        if (Description(body, ["Dataset Summary", "Dataset Description"], []) != card.Description) ours["description"] = card.Description;
        yaml[Namespace] = new Dictionary<string, object?> { ["format"] = "1", ["data_card"] = ours };
        return Write(yaml, body);
    }

    private static string DataCardBody(DataCard card)
    {
        var sb = new StringBuilder();
        sb.Append("# Dataset Card for ").Append(OneLine(card.Name)).Append("\n\n## Dataset Description\n\n");
        sb.Append(card.Description.Trim().Length == 0 ? MoreInfo : card.Description.Trim()).Append("\n\n");
        sb.Append("## Dataset Structure\n\n");
        sb.Append("- **Input:** ").Append(card.Modality.ToString().ToLowerInvariant()).Append('\n');
        sb.Append("- **Task:** ").Append(TaskDefaults.Display(card.Task)).Append('\n');
        sb.Append("- **Label space:** ").Append(OneLine(card.LabelSpace)).Append('\n');
        if (!string.IsNullOrWhiteSpace(card.LabelColumn)) sb.Append("- **Label column:** ").Append(OneLine(card.LabelColumn)).Append('\n');
        if (card.Samples is { } n) sb.Append("- **Samples:** ").Append(n.ToString("N0", CultureInfo.InvariantCulture)).Append('\n');
        if (card.Features is { } f) sb.Append("- **Features:** ").Append(f.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (!string.IsNullOrWhiteSpace(card.Resolution)) sb.Append("- **Resolution:** ").Append(OneLine(card.Resolution)).Append('\n');
        sb.Append("- **Evaluation metrics:** ").Append(OneLine(card.Metrics)).Append("\n\n");
        sb.Append("_Exported by AutoML-GPT for .NET; the `automl_gpt` key in the front matter keeps what Hugging Face cards have no field for._\n");
        return sb.ToString();
    }

    private static void ApplyOurs(DataCard card, IReadOnlyDictionary<string, object?> ours)
    {
        if (Str(ours, "modality") is { } m)
            card.Modality = Enum.TryParse<DataModality>(m, true, out var mod) ? mod : throw new CardImportException($"automl_gpt.data_card.modality \"{m}\" is not one of {string.Join(", ", Enum.GetNames<DataModality>())}.");
        if (Str(ours, "task") is { } t)
            card.Task = Enum.TryParse<MlTask>(t, true, out var task) ? task : throw new CardImportException($"automl_gpt.data_card.task \"{t}\" is not one of {string.Join(", ", Enum.GetNames<MlTask>())}.");
        card.LabelSpace = Str(ours, "label_space") ?? card.LabelSpace;
        card.Metrics = Str(ours, "metrics") ?? card.Metrics;
        if (ours.ContainsKey("samples")) card.Samples = Number(ours, "samples", long.MaxValue);
        if (ours.ContainsKey("features")) card.Features = (int?)Number(ours, "features", int.MaxValue);
        card.Resolution = Str(ours, "resolution");
        card.LabelColumn = Str(ours, "label_column");
        card.CategoricalColumns = Str(ours, "categorical_columns");
        card.NumericColumns = Str(ours, "numeric_columns");
        if (Str(ours, "description") is { } d) card.Description = d;
    }

    private static long? Number(IReadOnlyDictionary<string, object?> map, string key, long max)
    {
        var s = Str(map, key);
        if (s is null) return null;
        return long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n <= max
            ? n : throw new CardImportException($"automl_gpt.data_card.{key} must be a whole number, not \"{s}\".");
    }

    private sealed record Feature(string Name, bool Numeric, IReadOnlyList<string> Classes);

    private static IReadOnlyDictionary<string, object?>? DatasetInfo(IReadOnlyDictionary<string, object?> yaml) =>
        Map(yaml, "dataset_info") ?? List(yaml, "dataset_info").OfType<Dictionary<string, object?>>().FirstOrDefault();

    private static List<Feature> Features(IReadOnlyDictionary<string, object?>? info)
    {
        var result = new List<Feature>();
        foreach (var f in List(info, "features").OfType<Dictionary<string, object?>>())
        {
            if (Str(f, "name") is not { Length: > 0 } name) continue;
            var classLabel = Map(f, "class_label") ?? Map(Map(f, "dtype"), "class_label");
            var classes = classLabel is null ? [] : Map(classLabel, "names") is { } named
                ? named.OrderBy(kv => int.TryParse(kv.Key, out var i) ? i : int.MaxValue).Select(kv => kv.Value as string ?? "").ToList()
                : Strings(classLabel, "names").ToList();
            var dtype = Str(f, "dtype") ?? "";
            result.Add(new Feature(name, NumericDtype().IsMatch(dtype), classes));
        }
        return result;
    }

    private static (DataModality, MlTask) TaskFrom(IReadOnlyDictionary<string, object?> yaml, int classCount, List<string> notes)
    {
        var categories = Strings(yaml, "task_categories");
        var taskIds = Strings(yaml, "task_ids");
        foreach (var category in categories)
        {
            var match = Categories.FirstOrDefault(c => c.Category.Equals(category, StringComparison.OrdinalIgnoreCase));
            if (match.Category is null) continue;
            var task = match.Task ?? (taskIds.Contains("binary-classification") || classCount == 2 ? MlTask.BinaryClassification : MlTask.MulticlassClassification);
            return (match.Modality, task);
        }
        notes.Add(categories.Count == 0
            ? "The card has no task_categories; the task was set to tabular classification. Check it."
            : $"task_categories ({string.Join(", ", categories)}) has no counterpart here; the task was set to tabular classification. Check it.");
        return (DataModality.Tabular, classCount == 2 ? MlTask.BinaryClassification : MlTask.MulticlassClassification);
    }

    private static string CategoryFor(DataModality modality, MlTask task) =>
        Categories.FirstOrDefault(c => c.Modality == modality && (c.Task == task || c.Task is null && task is MlTask.BinaryClassification or MlTask.MulticlassClassification)).Category
        ?? Categories.First(c => c.Task == task || c.Task is null && task is MlTask.BinaryClassification or MlTask.MulticlassClassification).Category;

    public static string SizeCategory(long n) => n switch
    {
        < 1_000 => "n<1K",
        < 10_000 => "1K<n<10K",
        < 100_000 => "10K<n<100K",
        < 1_000_000 => "100K<n<1M",
        < 10_000_000 => "1M<n<10M",
        < 100_000_000 => "10M<n<100M",
        < 1_000_000_000 => "100M<n<1B",
        < 10_000_000_000 => "1B<n<10B",
        < 100_000_000_000 => "10B<n<100B",
        < 1_000_000_000_000 => "100B<n<1T",
        _ => "n>1T",
    };

    // ---------------------------------------------------------------- model cards

    public static ImportedCard<ModelCard> ImportModelCard(string text)
    {
        var file = Parse(text);
        var yaml = file.Yaml;
        var ns = Map(yaml, Namespace);
        var ours = Map(ns, "model_card");
        if (ours is null && Map(ns, "data_card") is not null)
            throw new CardImportException("This is a dataset card (it has automl_gpt.data_card); import it into the data card.");
        if (ours is null && !LooksLikeModelCard(yaml) && (yaml.ContainsKey("task_categories") || yaml.ContainsKey("dataset_info") || yaml.ContainsKey("pretty_name")))
            throw new CardImportException("This looks like a dataset card (task_categories, dataset_info or pretty_name); import it into the data card.");
        var notes = new List<string>();
        var modelIndex = List(yaml, "model-index").OfType<Dictionary<string, object?>>().FirstOrDefault();
        var baseModel = Strings(yaml, "base_model").FirstOrDefault();
        var library = Str(yaml, "library_name");
        var pipeline = Str(yaml, "pipeline_tag");

        var card = new ModelCard
        {
            Name = Str(ours, "name") ?? Str(modelIndex, "name") ?? Heading(file.Body, "Model Card for ") ?? baseModel ?? "",
        };
        card.Structure = Str(ours, "structure") ?? string.Join(", ", new[]
        {
            pipeline is null ? null : pipeline.Replace('-', ' ') + " model",
            library is null ? null : $"{library} library",
            baseModel is null ? null : $"fine-tuned from {baseModel}",
        }.OfType<string>());
        card.Description = Str(ours, "description") ?? Description(file.Body, ["Model description", "Model Description", "Model Details"], notes);

        if (Map(ours, "parameters") is { } parameters)
            card.Parameters = parameters.Select(kv => new CardParameter(kv.Key, kv.Value as string ?? "")).ToList();
        else
        {
            card.Parameters = BulletParameters(Section(file.Body, ["Training hyperparameters", "Hyperparameters"]) ?? "")
                .Take(CardValidator.MaxParameters).ToList();
            if (card.Parameters.Count > 0) notes.Add($"{card.Parameters.Count} hyperparameters were read from the card's \"Training hyperparameters\" list.");
        }

        foreach (var result in List(modelIndex, "results").OfType<Dictionary<string, object?>>())
        {
            var dataset = Map(result, "dataset");
            foreach (var metric in List(result, "metrics").OfType<Dictionary<string, object?>>())
                notes.Add($"Reported: {Str(metric, "name") ?? Str(metric, "type")} = {Str(metric, "value")} on {Str(dataset, "name") ?? Str(dataset, "type") ?? "an unnamed dataset"}.");
        }
        if (Strings(yaml, "datasets") is { Count: > 0 } datasets) notes.Add($"Trained on: {string.Join(", ", datasets)}.");
        if (Str(yaml, "license") is { } license) notes.Add($"License: {license}.");

        var request = Map(ns, "request") is { } r ? new ExperimentRequest { Requests = Str(r, "requests") ?? "", Resources = Str(r, "resources") ?? "" } : null;
        return new ImportedCard<ModelCard>(card, notes, request);
    }

    /// <param name="data">When given, the card names the dataset and its metrics (as in an experiment's export).</param>
    /// <param name="request">When given, travels under <c>automl_gpt.request</c> so a re-import restores it.</param>
    /// <param name="results">Metric name and value pairs measured on <paramref name="data"/>, written as model-index.</param>
    public static string ExportModelCard(ModelCard card, DataCard? data = null, ExperimentRequest? request = null,
        IReadOnlyList<(string Metric, double Value)>? results = null)
    {
        var yaml = new Dictionary<string, object?> { ["tags"] = new List<object?> { "automl-gpt" } };
        if (data is not null)
        {
            yaml["datasets"] = new List<object?> { data.Name };
            yaml["metrics"] = data.MetricList.Select(m => (object?)MetricId(m)).ToList();
            if (results is { Count: > 0 })
                yaml["model-index"] = new List<object?>
                {
                    new Dictionary<string, object?>
                    {
                        ["name"] = card.Name,
                        ["results"] = new List<object?>
                        {
                            new Dictionary<string, object?>
                            {
                                ["task"] = new Dictionary<string, object?> { ["type"] = CategoryFor(data.Modality, data.Task) },
                                ["dataset"] = new Dictionary<string, object?> { ["name"] = data.Name, ["type"] = CardText.Slug(data.Name) },
                                ["metrics"] = results.Select(x => (object?)new Dictionary<string, object?>
                                {
                                    ["type"] = MetricId(x.Metric), ["name"] = x.Metric, ["value"] = x.Value.ToString("0.####", CultureInfo.InvariantCulture),
                                }).ToList(),
                            },
                        },
                    },
                };
        }
        var body = ModelCardBody(card);
        var ours = new Dictionary<string, object?>
        {
            ["name"] = card.Name,
            ["structure"] = card.Structure,
            ["parameters"] = card.Parameters.Where(p => !string.IsNullOrWhiteSpace(p.Key)).ToDictionary(p => p.Key, p => (object?)p.Value),
        };
        if (Description(body, ["Model description"], []) != card.Description) ours["description"] = card.Description;
        var ns = new Dictionary<string, object?> { ["format"] = "1", ["model_card"] = ours };
        if (request is not null) ns["request"] = new Dictionary<string, object?> { ["requests"] = request.Requests, ["resources"] = request.Resources };
        yaml[Namespace] = ns;
        return Write(yaml, body);
    }

    private static string ModelCardBody(ModelCard card)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(OneLine(card.Name)).Append("\n\n## Model description\n\n");
        sb.Append(card.Description.Trim().Length == 0 ? MoreInfo : card.Description.Trim()).Append("\n\n");
        if (!string.IsNullOrWhiteSpace(card.Structure)) sb.Append("**Structure:** ").Append(OneLine(card.Structure)).Append("\n\n");
        var parameters = card.Parameters.Where(p => !string.IsNullOrWhiteSpace(p.Key)).ToList();
        if (parameters.Count > 0)
        {
            sb.Append("## Architecture hyperparameters\n\n| Name | Value |\n|---|---|\n");
            foreach (var p in parameters) sb.Append("| ").Append(Cell(p.Key)).Append(" | ").Append(Cell(p.Value)).Append(" |\n");
            sb.Append('\n');
        }
        sb.Append("_Exported by AutoML-GPT for .NET; the `automl_gpt` key in the front matter keeps what Hugging Face cards have no field for._\n");
        return sb.ToString();
    }

    private static IEnumerable<CardParameter> BulletParameters(string section)
    {
        foreach (Match m in BulletPair().Matches(section))
            yield return new CardParameter(m.Groups[1].Value.Trim(), m.Groups[2].Value.Trim());
    }

    // ---------------------------------------------------------------- shared

    private static FrontMatter Parse(string text)
    {
        var file = FrontMatter.Parse(text);
        if (file.Yaml.Count == 0 && string.IsNullOrWhiteSpace(file.Body))
            throw new CardImportException("The file is empty.");
        return file;
    }

    private static bool LooksLikeModelCard(IReadOnlyDictionary<string, object?> yaml) =>
        yaml.ContainsKey("model-index") || yaml.ContainsKey("base_model") || yaml.ContainsKey("library_name") || yaml.ContainsKey("pipeline_tag");

    /// <summary>The first level-1 heading, without a template prefix ("Dataset Card for X" → "X").</summary>
    private static string? Heading(string body, string prefix)
    {
        var m = H1().Match(body);
        if (!m.Success) return null;
        var h = m.Groups[1].Value.Trim();
        if (h.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) h = h[prefix.Length..].Trim();
        return h.Length == 0 ? null : h;
    }

    /// <summary>The text of the first section with one of these titles, up to the next heading; null when absent.</summary>
    private static string? Section(string body, IEnumerable<string> titles)
    {
        var lines = body.Replace("\r\n", "\n").Split('\n');
        foreach (var title in titles)
        {
            var start = Array.FindIndex(lines, l => HeadingLine().Match(l) is { Success: true } h && h.Groups[2].Value.Trim().Equals(title, StringComparison.OrdinalIgnoreCase));
            if (start < 0) continue;
            var end = Array.FindIndex(lines, start + 1, l => HeadingLine().IsMatch(l));
            var text = string.Join('\n', lines[(start + 1)..(end < 0 ? lines.Length : end)]).Trim();
            if (text.Length > 0) return text;
        }
        return null;
    }

    /// <summary>The card's description: a named section, else the first text after the title; template placeholders dropped.</summary>
    private static string Description(string body, IEnumerable<string> titles, List<string> notes)
    {
        var text = Section(body, titles);
        if (text is null)
        {
            var lines = body.Replace("\r\n", "\n").Split('\n').SkipWhile(l => l.Trim().Length == 0 || H1().IsMatch(l)).TakeWhile(l => !HeadingLine().IsMatch(l));
            text = string.Join('\n', lines).Trim();
        }
        text = text.Replace(MoreInfo, "", StringComparison.OrdinalIgnoreCase).Trim();
        if (text.Length > CardValidator.DescriptionMax)
        {
            notes.Add($"The description was cut to {CardValidator.DescriptionMax:N0} characters (the card's was {text.Length:N0}).");
            text = text[..CardValidator.DescriptionMax];
        }
        return text;
    }

    /// <summary>A metric's Hugging Face id: "top-1 accuracy" → "top_1_accuracy", "AUC" → "auc".</summary>
    public static string MetricId(string metric) => NonIdentifier().Replace(metric.Trim().ToLowerInvariant(), "_").Trim('_');

    private static string OneLine(string? s) => (s ?? "").ReplaceLineEndings(" ").Trim();
    private static string Cell(string s) => OneLine(s).Replace("|", "\\|");

    [GeneratedRegex(@"^#\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex H1();

    [GeneratedRegex(@"^(#{1,6})\s+(.+?)\s*#*\s*$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"^\s*[-*]\s+`?([A-Za-z_][\w.\-]*)`?\s*:\s*(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex BulletPair();

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonIdentifier();

    [GeneratedRegex(@"^(u?int\d*|float\d*|double|bool|decimal\d*)$")]
    private static partial Regex NumericDtype();
}
