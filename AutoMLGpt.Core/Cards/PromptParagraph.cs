using System.Text;

namespace AutoMLGpt.Core.Cards;

/// <summary>
/// Composes the AutoML-GPT paper's fixed-format prompt paragraph from the cards. Pure: the same cards give the same text.
/// </summary>
public static class PromptParagraph
{
    public const string DataProcessingSlot = "{A: Data Processing}";
    public const string ModelArchitectureSlot = "{B: Model Architecture}";
    public const string HyperparametersSlot = "{C: Hyperparameters}";
    public const string TrainingLogSlot = "{D: Predicted Training Log}";

    public static string Compose(ExperimentCards cards)
    {
        var sb = new StringBuilder();
        sb.Append("Assume we have {Data Card: ").Append(DescribeData(cards.Data)).Append("}, ");
        sb.Append("we adopt {Model Card: ").Append(DescribeModel(cards.Model)).Append("} as the model. ");
        sb.Append("We use ").Append(DataProcessingSlot).Append(" and ").Append(ModelArchitectureSlot).Append(" to process the dataset. ");
        sb.Append("We use ").Append(HyperparametersSlot).Append(" on {Resource: ")
          .Append(Clean(cards.Request.Resources) is { Length: > 0 } r ? r : "unspecified hardware").Append("}. ");
        sb.Append("Then we get ").Append(TrainingLogSlot).Append('.');
        if (Clean(cards.Request.Requests) is { Length: > 0 } requests)
            sb.Append(" Additional requests: ").Append(requests).Append(requests.EndsWith('.') ? "" : ".");
        return sb.ToString();
    }

    /// <summary>The data card as one line of "key: value" pairs, in the paper's order.</summary>
    public static string DescribeData(DataCard d)
    {
        var parts = new List<string>
        {
            $"name: {Clean(d.Name)}",
            $"input data type: {d.Modality.ToString().ToLowerInvariant()}",
            $"task: {TaskDefaults.Display(d.Task)}",
            $"label space: {Clean(d.LabelSpace)}",
            $"evaluation metric: {(Clean(d.Metrics) is { Length: > 0 } m ? m : TaskDefaults.Metric(d.Task))}",
        };
        var size = new List<string>();
        if (d.Samples is { } n) size.Add($"{CardText.Count(n)} samples");
        if (d.Features is { } f) size.Add($"{f} features");
        if (d.ResolutionSize is { } r) size.Add($"resolution {r.Width}x{r.Height}");
        if (size.Count > 0) parts.Add("size: " + string.Join(", ", size));
        if (Clean(d.Description) is { Length: > 0 } desc) parts.Add($"description: {desc}");
        return string.Join("; ", parts);
    }

    /// <summary>The model card as one line, its architecture hyperparameters in the user's order.</summary>
    public static string DescribeModel(ModelCard m)
    {
        var parts = new List<string> { $"name: {Clean(m.Name)}" };
        if (Clean(m.Structure) is { Length: > 0 } s) parts.Add($"structure: {s}");
        if (Clean(m.Description) is { Length: > 0 } d) parts.Add($"description: {d}");
        var hps = m.Parameters.Where(p => !string.IsNullOrWhiteSpace(p.Key)).Select(p => $"{Clean(p.Key)}={Clean(p.Value)}").ToList();
        if (hps.Count > 0) parts.Add("architecture hyperparameters: " + string.Join(", ", hps));
        return string.Join("; ", parts);
    }

    // One line per card: runs of whitespace (including new lines) collapse to a space.
    private static string Clean(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
