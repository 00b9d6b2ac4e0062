using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

/// <summary>
/// The built-in catalogue of model families with their published defaults. Every number here comes from the
/// cited paper or the library's documented defaults; the advisor then adapts them to the data and the hardware.
/// </summary>
public static partial class ModelCatalogue
{
    private static string F(double v, string fmt = "0.##") => v.ToString(fmt, CultureInfo.InvariantCulture);
    private static CardParameter P(string k, string v) => new(k, v);

    // A property, not a field: the families are fields in other files of this partial class, whose initialisers C# does
    // not order across files.
    public static IReadOnlyList<ModelFamily> All => field ??= [Detr, Swin, Vit, ResNet, UNet, Dpr, Bert, XGBoost, LightGbm, Mlp];

    /// <summary>
    /// The family a model card names (DETR before Swin, so "Swin-T + DETR" is a detector with a Swin backbone),
    /// else the family that suits the data card, with a note saying so.
    /// </summary>
    public static (ModelFamily Family, string? Note) Resolve(ModelCard model, DataCard data)
    {
        var named = All.Where(f => f.Matches(model)).ToList();
        var fit = named.FirstOrDefault(f => f.Tasks.Contains(data.Task) && f.Modalities.Contains(data.Modality)) ?? named.FirstOrDefault();
        if (fit is not null)
        {
            if (!fit.Tasks.Contains(data.Task) || !fit.Modalities.Contains(data.Modality))
                return (fit, $"{fit.DisplayName} is not usually used for {TaskDefaults.Display(data.Task)} on {data.Modality.ToString().ToLowerInvariant()} data; the recipe below is its published one and may need more tuning.");
            return (fit, null);
        }
        var fallback = (data.Modality, data.Task) switch
        {
            (DataModality.Tabular, _) => LightGbm,
            (_, MlTask.ObjectDetection) => Detr,
            (_, MlTask.Segmentation) => UNet,
            (_, MlTask.QuestionAnswering) => Dpr,
            (DataModality.Text, _) => Bert,
            _ => Vit,
        };
        return (fallback, $"No catalogue family matches \"{model.Name}\"; the engine used {fallback.DisplayName}, the closest published recipe for {TaskDefaults.Display(data.Task)} on {data.Modality.ToString().ToLowerInvariant()} data.");
    }

    public static ModelFamily? ByKey(string key) => All.FirstOrDefault(f => f.Key == key);

    private static double BertParams(double d, double layers) => (layers * (12 * d * d + 13 * d) + 30522 * d + 514 * d + d * d) / 1e6;

    private static int[] Ints(string s) =>
        s.Split([',', ' ', '[', ']', '(', ')'], StringSplitOptions.RemoveEmptyEntries)
         .Select(x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0).Where(v => v > 0).DefaultIfEmpty(2).ToArray();

    private static string ShrinkImage(Recipe r, double target, string tradeOff)
    {
        var now = r.NumberOf("image_size") ?? target;
        if (now <= target) return $"input already at {F(now)} px; {tradeOff}";
        r.Adjust("image_size", target, $"faster inference: {F(now)} → {F(target)} px");
        return tradeOff;
    }

    internal static string TreeObjective(DataCard d, string lib) => (d.Task, lib) switch
    {
        (MlTask.BinaryClassification, "xgb") => "binary:logistic",
        (MlTask.MulticlassClassification, "xgb") => "multi:softprob",
        (_, "xgb") => "reg:squarederror",
        (MlTask.BinaryClassification, _) => "binary",
        (MlTask.MulticlassClassification, _) => "multiclass",
        _ => "regression",
    };

    internal static string TreeMetric(DataCard d, string lib)
    {
        var m = d.PrimaryMetric.ToLowerInvariant();
        if (m.Contains("auc")) return "auc";
        return (d.Task, lib) switch
        {
            (MlTask.BinaryClassification, "xgb") => "logloss,error",
            (MlTask.MulticlassClassification, "xgb") => "mlogloss,merror",
            (_, "xgb") => "rmse",
            (MlTask.BinaryClassification, _) => "binary_logloss,binary_error",
            (MlTask.MulticlassClassification, _) => "multi_logloss,multi_error",
            _ => "rmse",
        };
    }

    private static string TreeDescription(FamilyInput i, string growth, string leaves, string gain)
    {
        var d = i.Data;
        var trees = i.Recipe.NumberOf("n_estimators") ?? i.Recipe.NumberOf("num_iterations") ?? 100;
        var perRound = d.Task == MlTask.MulticlassClassification ? $"{i.Classes} trees per round (one per class), {F(trees * i.Classes)} in all" : $"{F(trees)} trees";
        var inputs = d.NumericColumnList.Count + d.CategoricalColumnList.Count > 0
            ? $"{d.NumericColumnList.Count} numeric columns as they are (no scaling needed) and {d.CategoricalColumnList.Count} categorical columns as native categories; missing values kept as missing (each split learns a default direction)"
            : $"{d.Features?.ToString(CultureInfo.InvariantCulture) ?? "all"} feature columns; numeric as is, categorical as native categories; missing values kept as missing";
        var output = d.Task switch
        {
            MlTask.BinaryClassification => $"sum of leaf values → sigmoid → P({d.Classes.LastOrDefault() ?? "positive"})",
            MlTask.MulticlassClassification => $"per-class sums → softmax over {i.Classes} classes",
            _ => "sum of leaf values = predicted value",
        };
        var loss = d.Task switch
        {
            MlTask.BinaryClassification => "binary log loss",
            MlTask.MulticlassClassification => "multi-class log loss",
            _ => "squared error",
        };
        return $"""
            - **Input**: {inputs}.
            - **Ensemble**: {perRound}, added one boosting round at a time; each tree fits the gradient of the loss of the current ensemble, scaled by the learning rate.
            - **Tree growth**: {growth}; {leaves}.
            - **Split finding**: {gain}.
            - **Output**: {output}.
            - **Loss**: {loss}, with L1/L2 penalties on leaf values.
            """;
    }
}
