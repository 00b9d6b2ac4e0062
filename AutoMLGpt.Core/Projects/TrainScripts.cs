using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge.Catalogue;
using AutoMLGpt.Core.Pipeline;
using static AutoMLGpt.Core.Projects.PythonLiteral;

namespace AutoMLGpt.Core.Projects;

/// <summary>
/// <c>train.py</c> of a runnable project: the model of stage B with stage C's hyperparameters, a training loop, the
/// app's metrics and the same split seed as <c>data.py</c>. Tabular families train for real on <c>data.py</c>'s output;
/// image and text families are PyTorch scripts whose <c>--dry-run</c> trains one step on a tiny generated batch. The
/// Python is the family's template (<see cref="ModelFamily.TrainTemplate"/>); this fills in the card's values.
/// </summary>
public static class TrainScripts
{
    public static string Write(ExperimentCards cards, ModelFamily family, IReadOnlyList<HyperparameterRow> hyperparameters)
    {
        var d = cards.Data;
        return PythonTemplate.Render(family.TrainTemplate, new Dictionary<string, string>
        {
            ["DATASET"] = Comment(d.Name),
            ["MODEL"] = Comment(cards.Model.Name),
            ["FAMILY"] = family.DisplayName,
            ["TASK_DISPLAY"] = TaskDefaults.Display(d.Task),
            ["LABEL"] = Str(d.LabelColumn is { Length: > 0 } l ? l : "label"),
            ["TASK"] = Str(TaskName(d)),
            ["HYPERPARAMETERS"] = Hyperparameters(hyperparameters),
            ["NUM_CLASSES"] = Classes(d).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ARCH"] = Str(family.TorchvisionArchitecture ?? "vit_b_16"),
            ["SPAN_QA"] = d.Task == MlTask.QuestionAnswering ? "True" : "False",
        });
    }

    private static int Classes(DataCard d) => Math.Max(d.ClassCount, d.Task == MlTask.BinaryClassification ? 2 : d.Task == MlTask.Regression ? 1 : 2);

    private static string TaskName(DataCard d) =>
        d.Task == MlTask.Regression ? "regression" : Classes(d) > 2 ? "multiclass" : "binary";
}
