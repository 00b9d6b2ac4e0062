using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// XGBoost: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily XGBoost = new()
    {
        Key = "xgboost", DisplayName = "XGBoost", NamePattern = @"xgboost|\bxgb\b",
        Source = "Chen & Guestrin, XGBoost: A Scalable Tree Boosting System (KDD 2016); library defaults",
        Tasks = [MlTask.BinaryClassification, MlTask.MulticlassClassification, MlTask.Regression], Modalities = [DataModality.Tabular],
        LogStyle = LogStyle.XGBoost,
        DefaultStructure = "Gradient-boosted decision trees, depth-wise growth, second-order split gain",
        DefaultDescription = "XGBoost gradient boosting with histogram tree building and native categorical support.",
        DefaultArchitecture = [P("max_depth", "6"), P("n_estimators", "100"), P("tree_method", "hist")],
        ParamsMillions = _ => 0,
        Describe = i => TreeDescription(i, "depth-wise (every node split down to max_depth)", $"at most 2^{F(i.Recipe.NumberOf("max_depth") ?? 6)} = {F(Math.Pow(2, i.Recipe.NumberOf("max_depth") ?? 6))} leaves per tree",
            "gain = ½·[G_L²/(H_L+λ) + G_R²/(H_R+λ) − (G_L+G_R)²/(H_L+H_R+λ)] − γ, from first and second derivatives of the loss"),
        BaseRecipe = d => new Recipe()
            .Num("n_estimators", 100, "int", "50 – 5000", "XGBoost default")
            .Num("learning_rate", 0.3, "float", "0.005 – 0.3", "XGBoost default eta")
            .Num("max_depth", 6, "int", "2 – 12", "XGBoost default")
            .Num("min_child_weight", 1, "float", "0.1 – 20", "XGBoost default")
            .Num("subsample", 1.0, "float", "0.5 – 1", "XGBoost default")
            .Num("colsample_bytree", 1.0, "float", "0.3 – 1", "XGBoost default")
            .Num("reg_lambda", 1.0, "float", "0 – 10", "XGBoost default L2")
            .Num("reg_alpha", 0, "float", "0 – 10", "XGBoost default L1")
            .Num("early_stopping_rounds", 0, "int", "0 – 200", "")
            .Text("tree_method", "hist", "hist | approx | exact", "histogram building")
            .Text("objective", TreeObjective(d, "xgb"), "", "from the task")
            .Text("eval_metric", TreeMetric(d, "xgb"), "", "from the card's metric"),
        IsTreeEnsemble = true,
        MakeFaster = (i, _) =>
        {
            var depth = i.Recipe.NumberOf("max_depth") ?? 6;
            i.Recipe.Adjust("max_depth", Math.Max(3, depth - 2), "faster inference: shallower trees");
            return $"max_depth {F(depth)} → {F(Math.Max(3, depth - 2))} makes each prediction walk {F(depth - Math.Max(3, depth - 2))} fewer nodes per tree and shrinks the model about 4×; expect −0.1 to −0.5 points on most tabular sets";
        },
        References =
        [
            new(@"\badult\b|census income", "accuracy", 87.1, "XGBoost, tuned, Adult (Gorishniy et al. 2021, Table 2: 0.871)"),
            new(@"higgs", "accuracy", 72.8, "XGBoost, tuned, Higgs-small (Gorishniy et al. 2021)"),
        ],
        TrainTemplate = "Families/XGBoost/train.py", Requirements = ["numpy>=1.24", "pandas>=1.5", "scikit-learn>=1.2", "xgboost>=1.7"],
        TrainsOnPreparedData = true, TreeKnobs = new("xgboost", "n_estimators", "colsample_bytree", "subsample", "reg_lambda", GrowsDepthWise: true),
    };
}
