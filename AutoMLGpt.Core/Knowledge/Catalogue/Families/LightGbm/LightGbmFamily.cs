using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// LightGbm: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily LightGbm = new()
    {
        Key = "lightgbm", DisplayName = "LightGBM", NamePattern = @"lightgbm|\blgbm\b|\blgb\b",
        Source = "Ke et al., LightGBM: A Highly Efficient Gradient Boosting Decision Tree (NeurIPS 2017); library defaults",
        Tasks = [MlTask.BinaryClassification, MlTask.MulticlassClassification, MlTask.Regression], Modalities = [DataModality.Tabular],
        LogStyle = LogStyle.LightGbm,
        DefaultStructure = "Gradient-boosted decision trees, leaf-wise growth, histogram splits (GOSS/EFB available)",
        DefaultDescription = "LightGBM gradient boosting with leaf-wise trees and native categorical splits.",
        DefaultArchitecture = [P("num_leaves", "31"), P("num_iterations", "100"), P("max_bin", "255")],
        ParamsMillions = _ => 0,
        Describe = i => TreeDescription(i, "leaf-wise (always split the leaf with the largest loss reduction)", $"at most {F(i.Recipe.NumberOf("num_leaves") ?? 31)} leaves per tree",
            "gradient-based histogram gain over ≤ 255 bins per feature; categorical features split by sorting categories on gradient statistics"),
        BaseRecipe = d => new Recipe()
            .Num("num_iterations", 100, "int", "50 – 5000", "LightGBM default")
            .Num("learning_rate", 0.1, "float", "0.005 – 0.3", "LightGBM default")
            .Num("num_leaves", 31, "int", "4 – 512", "LightGBM default")
            .Num("min_data_in_leaf", 20, "int", "1 – 500", "LightGBM default")
            .Num("feature_fraction", 1.0, "float", "0.3 – 1", "LightGBM default")
            .Num("bagging_fraction", 1.0, "float", "0.5 – 1", "LightGBM default")
            .Num("lambda_l2", 0, "float", "0 – 10", "LightGBM default")
            .Text("extra_trees", "false", "true | false", "LightGBM default")
            .Num("max_bin", 255, "int", "63 – 1023", "LightGBM default")
            .Num("early_stopping_rounds", 0, "int", "0 – 200", "")
            .Text("objective", TreeObjective(d, "lgb"), "", "from the task")
            .Text("metric", TreeMetric(d, "lgb"), "", "from the card's metric"),
        IsTreeEnsemble = true,
        MakeFaster = (i, _) =>
        {
            var leaves = i.Recipe.NumberOf("num_leaves") ?? 31;
            i.Recipe.Adjust("num_leaves", Math.Max(8, Math.Round(leaves / 2)), "faster inference: fewer leaves");
            return $"num_leaves {F(leaves)} → {F(Math.Max(8, Math.Round(leaves / 2)))} halves model size and makes trees about one level shallower; expect −0.1 to −0.5 points";
        },
        References = [new(@"\badult\b|census income", "accuracy", 87.2, "LightGBM, tuned, Adult (Gorishniy et al. 2021, Table 2 reports 0.872 for GBDT)")],
        TrainTemplate = "Families/LightGbm/train.py", Requirements = ["numpy>=1.24", "pandas>=1.5", "scikit-learn>=1.2", "lightgbm>=3.3"],
        TrainsOnPreparedData = true, InstallNote = "LightGBM's Python package is needed (`pip install lightgbm`).",
        TreeKnobs = new("lightgbm", "num_iterations", "feature_fraction", "bagging_fraction", "lambda_l2", GrowsDepthWise: false),
    };
}
