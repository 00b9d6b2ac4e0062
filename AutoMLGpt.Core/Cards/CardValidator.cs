using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.Cards;

/// <summary>A problem with one field, named by its path (e.g. "Data.Name", "Model.Parameters[2].Key").</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// The rules every card must meet before it is run or saved. Enforced here, in the domain,
/// so the form, the importers and the store all apply the same limits.
/// </summary>
public static partial class CardValidator
{
    public const int NameMax = 200;
    public const int ShortTextMax = 1_000;
    public const int DescriptionMax = 8_000;
    public const int RequestMax = 4_000;
    public const int MaxParameters = 64;
    public const long MaxSamples = 100_000_000_000;
    public const int MaxFeatures = 10_000_000;

    public static IReadOnlyList<FieldError> Validate(DataCard card)
    {
        var errors = new List<FieldError>();
        Required(errors, "Data.Name", "Dataset name", card.Name, NameMax);
        Required(errors, "Data.LabelSpace", "Label space", card.LabelSpace, ShortTextMax);
        Optional(errors, "Data.Metrics", "Evaluation metric", card.Metrics, ShortTextMax);
        Optional(errors, "Data.Description", "Description", card.Description, DescriptionMax, allowNewLines: true);
        Optional(errors, "Data.License", "License", card.License, NameMax);
        Optional(errors, "Data.LabelColumn", "Label column", card.LabelColumn, NameMax);
        Optional(errors, "Data.CategoricalColumns", "Categorical columns", card.CategoricalColumns, DescriptionMax);
        Optional(errors, "Data.NumericColumns", "Numeric columns", card.NumericColumns, DescriptionMax);

        if (card.Samples is { } n && (n < 1 || n > MaxSamples))
            errors.Add(new("Data.Samples", $"Samples must be between 1 and {MaxSamples:N0}."));
        if (card.Features is { } f && (f < 1 || f > MaxFeatures))
            errors.Add(new("Data.Features", $"Features must be between 1 and {MaxFeatures:N0}."));

        if (!string.IsNullOrWhiteSpace(card.Resolution) && card.ResolutionSize is null)
            errors.Add(new("Data.Resolution", "Resolution must look like 224x224 (width x height in pixels)."));
        else if (card.ResolutionSize is { } r && (r.Width < 8 || r.Height < 8 || r.Width > 16384 || r.Height > 16384))
            errors.Add(new("Data.Resolution", "Resolution must be between 8 and 16384 pixels on each side."));

        if (card.Modality is DataModality.Image && card.Task is MlTask.QuestionAnswering)
            errors.Add(new("Data.Task", "Question answering needs text or multimodal input, not images alone."));
        if (card.Modality is DataModality.Tabular && card.Task is MlTask.ObjectDetection or MlTask.Segmentation)
            errors.Add(new("Data.Task", $"{TaskDefaults.Display(card.Task)} needs image input, not a table."));
        if (card.Task is MlTask.BinaryClassification && card.ClassCount is > 2)
            errors.Add(new("Data.LabelSpace", $"Binary classification takes exactly two classes; {card.ClassCount} are given. Choose multi-class instead."));
        return errors;
    }

    public static IReadOnlyList<FieldError> Validate(ModelCard card)
    {
        var errors = new List<FieldError>();
        Required(errors, "Model.Name", "Model name", card.Name, NameMax);
        Optional(errors, "Model.Structure", "Structure", card.Structure, ShortTextMax);
        Optional(errors, "Model.Description", "Description", card.Description, DescriptionMax, allowNewLines: true);
        if (card.Parameters.Count > MaxParameters)
            errors.Add(new("Model.Parameters", $"At most {MaxParameters} architecture hyperparameters."));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < card.Parameters.Count; i++)
        {
            var p = card.Parameters[i];
            var field = $"Model.Parameters[{i}]";
            if (string.IsNullOrWhiteSpace(p.Key))
            {
                if (!string.IsNullOrWhiteSpace(p.Value)) errors.Add(new(field + ".Key", "Give this value a name."));
                continue;
            }
            Optional(errors, field + ".Key", "Name", p.Key, NameMax);
            Optional(errors, field + ".Value", "Value", p.Value, ShortTextMax);
            if (!seen.Add(p.Key.Trim())) errors.Add(new(field + ".Key", $"\"{p.Key.Trim()}\" is listed twice."));
        }
        return errors;
    }

    public static IReadOnlyList<FieldError> Validate(ExperimentRequest request)
    {
        var errors = new List<FieldError>();
        Optional(errors, "Request.Requests", "Requests", request.Requests, RequestMax, allowNewLines: true);
        Optional(errors, "Request.Resources", "Resources", request.Resources, ShortTextMax);
        return errors;
    }

    public static IReadOnlyList<FieldError> Validate(ExperimentCards cards) =>
        [.. Validate(cards.Data), .. Validate(cards.Model), .. Validate(cards.Request)];

    /// <summary>Messages for one field, for the form's per-field validation.</summary>
    public static IEnumerable<string> MessagesFor(IEnumerable<FieldError> errors, string field) =>
        errors.Where(e => e.Field == field).Select(e => e.Message);

    private static void Required(List<FieldError> errors, string field, string label, string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add(new(field, $"{label} is required."));
        else Optional(errors, field, label, value, max);
    }

    private static void Optional(List<FieldError> errors, string field, string label, string? value, int max, bool allowNewLines = false)
    {
        if (value is null) return;
        if (value.Length > max) errors.Add(new(field, $"{label} is too long: {value.Length:N0} characters, at most {max:N0}."));
        else if ((allowNewLines ? UnsafeMultiLine() : UnsafeSingleLine()).IsMatch(value))
            errors.Add(new(field, $"{label} contains control or text-direction characters; remove them (they can hide text)."));
    }

    // Control characters and Unicode bidi overrides/isolates (Trojan Source), which can make text read differently than it is.
    [GeneratedRegex(@"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\u202A-\u202E\u2066-\u2069]")]
    private static partial Regex UnsafeMultiLine();

    [GeneratedRegex(@"[\x00-\x1F\x7F\u202A-\u202E\u2066-\u2069]")]
    private static partial Regex UnsafeSingleLine();
}
