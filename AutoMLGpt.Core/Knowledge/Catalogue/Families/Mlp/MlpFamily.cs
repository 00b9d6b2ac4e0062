using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// Mlp: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily Mlp = new()
    {
        Key = "mlp", DisplayName = "MLP", NamePattern = @"\bmlp\b|multi-?layer perceptron|feed-?forward|dense network",
        Source = "Gorishniy et al., Revisiting Deep Learning Models for Tabular Data (NeurIPS 2021)",
        Tasks = [MlTask.BinaryClassification, MlTask.MulticlassClassification, MlTask.Regression], Modalities = [DataModality.Tabular],
        LogStyle = LogStyle.Lightning,
        DefaultStructure = "Stacked Linear → ReLU → Dropout blocks on standardised numeric and embedded categorical features",
        DefaultDescription = "A plain MLP baseline for tabular data, as tuned in Gorishniy et al. 2021.",
        DefaultArchitecture = [P("num_layers", "3"), P("hidden_size", "256"), P("dropout", "0.1"), P("embedding_dim", "16")],
        ParamsMillions = i =>
        {
            var h = i.Num("hidden_size", 256); var l = i.Num("num_layers", 3);
            var inputs = (i.Data.NumericColumnList.Count > 0 ? i.Data.NumericColumnList.Count : i.Data.Features ?? 16) + i.Data.CategoricalColumnList.Count * (i.Num("embedding_dim", 16) - 1);
            return (inputs * h + (l - 1) * h * h + h * Math.Max(1, i.Data.Task == MlTask.Regression ? 1 : i.Classes)) / 1e6;
        },
        Describe = i =>
        {
            var h = i.Num("hidden_size", 256); var l = i.Num("num_layers", 3); var e = i.Num("embedding_dim", 16);
            var num = i.Data.NumericColumnList.Count; var cat = i.Data.CategoricalColumnList.Count;
            var inputs = num > 0 || cat > 0 ? $"{num} numeric features (quantile-normalised) and {cat} categorical features (each a learned {F(e)}-d embedding)" : $"{i.Data.Features?.ToString(CultureInfo.InvariantCulture) ?? "the"} features, standardised; categorical ones one-hot encoded";
            return $"""
                - **Input**: {inputs}, concatenated.
                - **Body**: {F(l)} blocks of Linear → ReLU → Dropout({F(i.Num("dropout", 0.1))}), width {F(h)}.
                - **Head**: linear {F(h)} → {(i.Data.Task == MlTask.Regression ? "1" : i.Data.Task == MlTask.BinaryClassification ? "1 (logit)" : i.Classes.ToString(CultureInfo.InvariantCulture))}.
                - **Output**: {(i.Data.Task == MlTask.Regression ? "one real value (target standardised during training)" : "class probabilities after sigmoid/softmax")}.
                - **Loss**: {(i.Data.Task == MlTask.Regression ? "mean squared error" : i.Data.Task == MlTask.BinaryClassification ? "binary cross-entropy" : "cross-entropy")}.
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "AdamW", "AdamW", "Gorishniy et al. 2021")
            .Num("learning_rate", 1e-3, "float", "1e-5 – 1e-2", "tuned range centre")
            .Num("batch_size", 256, "int", "64 – 1024", "Gorishniy et al. 2021 use 256–1024 by dataset size")
            .Num("per_gpu_batch_size", 256, "int", "64 – 1024", "")
            .Num("gradient_accumulation_steps", 1, "int", "1", "")
            .Num("epochs", 100, "int", "20 – 500", "with early stopping")
            .Num("early_stopping_patience", 16, "int", "5 – 30", "Gorishniy et al. 2021: 16 epochs")
            .Num("weight_decay", 1e-5, "float", "0 – 1e-3", "")
            .Num("dropout", 0.1, "float", "0 – 0.5", "")
            .Text("mixed_precision", "fp32", "fp32", "tiny model: fp32 is fine"),
        GbPerSample = 0.0005,
        MakeFaster = (i, _) => "an MLP this size already predicts in microseconds per row on CPU; batch requests for throughput. If latency still matters, halve hidden_size (about 4× fewer FLOPs, small accuracy cost)",
        References = [new(@"\badult\b|census income", "accuracy", 85.2, "MLP, tuned, Adult (Gorishniy et al. 2021, Table 2: 0.852)")],
        TrainTemplate = "Families/Mlp/train.py", Requirements = ["numpy>=1.24", "pandas>=1.5", "scikit-learn>=1.2"],
        TrainsOnPreparedData = true, PreparesScaledArrays = true, TrainsWellOnCpu = true, MixedPrecisionOnGpu = false,
        AdaptToDataSize = a =>
        {
            var b = a.Samples switch { < 5_000 => 64, < 50_000 => 256, _ => 512 };
            a.Recipe.Adjust("batch_size", b, $"{a.Rows}: batch size by dataset size (Gorishniy et al. 2021)");
            a.Recipe.Adjust("per_gpu_batch_size", b, "");
            a.ReferenceBatch = b;
        },
    };
}
