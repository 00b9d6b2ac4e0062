using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge.Catalogue;
using AutoMLGpt.Core.Projects;

namespace AutoMLGpt.Core.Engines.Offline;

/// <summary>
/// Stage A of the offline engine: a Python data-processing script for the card's modality and task, filled with
/// the card's concrete fields. The Python is a template per kind of data (<c>DataScripts/*.py</c>); this picks it and
/// fills it in. The script is text for the user to read and download; nothing here runs it.
/// </summary>
public static class ScriptWriter
{
    public static string Write(ExperimentCards cards, Advice advice)
    {
        var d = cards.Data;
        var family = advice.Family;
        var template = (d.Modality, d.Task) switch
        {
            (DataModality.Tabular, _) => family.PreparesScaledArrays ? "tabular_neural" : "tabular_trees",
            (_, MlTask.ObjectDetection) => "detection",
            (_, MlTask.Segmentation) => "segmentation",
            (_, MlTask.QuestionAnswering) => family.LearnsFromInBatchNegatives ? "retrieval" : "span_qa",
            (DataModality.Text, _) => "text_classification",
            (DataModality.Audio, _) => "audio",
            _ => "image_classification",
        };
        return PythonTemplate.Render($"DataScripts/{template}.py", Values(d, advice, template));
    }

    private static Dictionary<string, string> Values(DataCard d, Advice a, string template)
    {
        var recipe = a.Recipe;
        var values = new Dictionary<string, string>
        {
            // The header's comment text
            ["DATASET"] = Oneline(d.Name),
            ["TASK_DISPLAY"] = TaskDefaults.Display(d.Task),
            ["MODALITY"] = d.Modality.ToString().ToLowerInvariant(),
            ["SIZE"] = d.Samples is { } n ? $"{CardText.Count(n)} samples" : "size not given",
            ["FAMILY"] = a.Family.DisplayName,
            ["METRIC"] = Oneline(d.PrimaryMetric),
            // Python values
            ["LABEL"] = Q(d.LabelColumn is { Length: > 0 } l ? l : "label"),
            ["CLASSES"] = d.Classes.Count > 0 && d.Task != MlTask.Regression ? List(d.Classes) : "None  # inferred from the data",
            ["NUMERIC"] = List(d.NumericColumnList),
            ["CATEGORICAL"] = List(d.CategoricalColumnList),
            ["LIB"] = a.Family.TreeKnobs?.Library ?? "lightgbm",
            ["CLASSIFICATION"] = Flag(d.IsClassification),
            ["REGRESSION"] = Flag(d.Task == MlTask.Regression),
            ["STRONG_AUGMENT"] = Flag(a.Family.StrongAugmentation),
        };
        // The input sizes each kind of data is prepared at: the recipe's, else the published default.
        switch (template)
        {
            case "image_classification": values["SIZE_PX"] = I(recipe.NumberOf("image_size") ?? 224); break;
            case "segmentation": values["SIZE_PX"] = I(recipe.NumberOf("image_size") ?? 512); break;
            case "detection":
                var shortSide = recipe.NumberOf("image_size") ?? 800;
                values["SCALES"] = "[" + string.Join(", ", Enumerable.Range(0, 11).Select(k => 480 + 32 * k).Where(s => s <= shortSide).Select(s => I(s))) + "]";
                values["MAX_SIZE"] = I(Math.Round(shortSide * 1333 / 800));
                break;
            case "retrieval":
                var passage = recipe.NumberOf("max_seq_length") ?? 256;
                values["MAX_TOKENS"] = I(passage);
                values["MAX_QUESTION_TOKENS"] = I(recipe.NumberOf("max_question_length") ?? passage);
                values["HARD_NEGATIVES"] = I(recipe.NumberOf("hard_negatives") ?? 1);
                break;
            case "span_qa": values["MAX_TOKENS"] = I(recipe.NumberOf("max_seq_length") ?? 384); break;
            case "text_classification": values["MAX_TOKENS"] = I(recipe.NumberOf("max_seq_length") ?? 128); break;
        }
        return values;
    }

    private static string Flag(bool value) => value ? "True" : "False";
    private static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    private static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Q)) + "]";
    private static string I(double v) => v.ToString("0", CultureInfo.InvariantCulture);
    private static string Oneline(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
