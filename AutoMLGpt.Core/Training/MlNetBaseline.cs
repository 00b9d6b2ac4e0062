using System.Diagnostics;
using System.Reflection;
using AutoMLGpt.Core.Cards;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AutoMLGpt.Core.Training;

/// <summary>
/// The ML.NET baseline beside LightGBM: FastTree (binary and regression) or one-versus-all FastTree (multiclass) with
/// ML.NET's defaults, on the same matrix and split. Categorical codes enter as ordinal numbers, missing values as NaN,
/// which FastTree treats as missing. A reference point, not a tuned model.
/// </summary>
public static class MlNetBaseline
{
    private sealed class Row
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    /// <param name="cancellationToken">Stops FastTree between its trees (ML.NET's own cancellation), so Cancel never waits for the baseline.</param>
    public static (TestMetrics Test, TimeSpan Elapsed, string Trainer) Train(TabularData data, DataCard card, int seed = 42, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ml = new MLContext(seed);
        using var stop = cancellationToken.Register(() => CancelExecution?.Invoke(ml));
        try
        {
            var fitted = Fit(ml, data, card);
            cancellationToken.ThrowIfCancellationRequested(); // cancelled after its last check: the result is not wanted
            return fitted;
        }
        // ML.NET reports its cancellation in its own words; the caller gets the token's.
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && (ex as OperationCanceledException)?.CancellationToken != cancellationToken)
        {
            throw new OperationCanceledException("The baseline was cancelled.", ex, cancellationToken);
        }
    }

    // ML.NET's own cancellation (its hosts check it between trees) is internal in ML.NET 5; it is public only through the
    // Microsoft.ML.Experimental package, which the registry here does not serve. A test fails if the method goes away.
    private static readonly Action<MLContext>? CancelExecution = typeof(MLContext)
        .GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)?.CreateDelegate<Action<MLContext>>();

    private static (TestMetrics Test, TimeSpan Elapsed, string Trainer) Fit(MLContext ml, TabularData data, DataCard card)
    {
        var watch = Stopwatch.StartNew();
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Columns);
        IDataView View(int[] rows) => ml.Data.LoadFromEnumerable(rows.Select(r => new Row
        {
            Label = data.Labels[r],
            Features = data.Features.AsSpan(r * data.Columns, data.Columns).ToArray(),
        }), schema);
        var train = View(data.Split.Train.Concat(data.Split.Valid).ToArray());
        var test = View(data.Split.Test);
        var (_, yTest) = data.Take(data.Split.Test);
        switch (card.Task)
        {
            case MlTask.Regression:
            {
                var model = ml.Regression.Trainers.FastTree(labelColumnName: "Label", featureColumnName: "Features").Fit(train);
                var scores = ml.Data.CreateEnumerable<Score>(model.Transform(test), reuseRowObject: false).Select(s => (double)s.Value).ToArray();
                return (TestMetrics.Compute(card.Task, yTest, scores, 0), watch.Elapsed, "ML.NET FastTree regression");
            }
            case MlTask.BinaryClassification:
            {
                var pipeline = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Boolean)
                    .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Label", featureColumnName: "Features"));
                var model = pipeline.Fit(train);
                var p = ml.Data.CreateEnumerable<Probability>(model.Transform(test), reuseRowObject: false).Select(s => (double)s.Value).ToArray();
                return (TestMetrics.Compute(card.Task, yTest, p, 2), watch.Elapsed, "ML.NET FastTree binary");
            }
            default:
            {
                var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(featureColumnName: "Features")));
                var model = pipeline.Fit(train);
                var classes = data.Classes.Length;
                var probabilities = new double[data.Split.Test.Length * classes];
                // Key values follow the order labels were first seen; map each score column back to its class index.
                var keys = new VBuffer<float>();
                model.Transform(test).Schema["Label"].GetKeyValues(ref keys);
                var slotToClass = keys.DenseValues().Select(k => (int)k).ToArray();
                var i = 0;
                foreach (var row in ml.Data.CreateEnumerable<Scores>(model.Transform(test), reuseRowObject: false))
                {
                    var sum = row.Value.Sum();
                    for (var s = 0; s < row.Value.Length && s < slotToClass.Length; s++)
                        probabilities[i * classes + slotToClass[s]] = sum > 0 ? row.Value[s] / sum : 1.0 / classes;
                    i++;
                }
                return (TestMetrics.Compute(card.Task, yTest, probabilities, classes), watch.Elapsed, "ML.NET one-versus-all FastTree");
            }
        }
    }

    private sealed class Score { [ColumnName("Score")] public float Value { get; set; } }
    private sealed class Probability { [ColumnName("Probability")] public float Value { get; set; } }
    private sealed class Scores { [ColumnName("Score")] public float[] Value { get; set; } = []; }
}
