using System.Globalization;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

/// <summary>How the family's own training code prints its log; stage D imitates it.</summary>
public enum LogStyle { Timm, Detr, XGBoost, LightGbm, HuggingFace, Dpr, NnUnet, Lightning }

/// <summary>A published result used to anchor the predicted metric, with where it comes from.</summary>
public sealed record ReferenceResult(string DatasetPattern, string Metric, double Value, string Source);

/// <summary>What the architecture writer and the advisor know about the experiment.</summary>
public sealed record FamilyInput(DataCard Data, ModelCard Model, Recipe Recipe)
{
    /// <summary>An architecture hyperparameter from the model card, else the family's default.</summary>
    public double Num(string key, double fallback) =>
        Model.Parameter(key) is { } v && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : fallback;

    public string Str(string key, string fallback) => Model.Parameter(key) is { Length: > 0 } v ? v : fallback;

    public int Classes => Math.Max(Data.ClassCount, Data.Task == MlTask.BinaryClassification ? 2 : 1);
}

/// <summary>A tree library's names for the knobs the results matrix sets under LightGBM's names.</summary>
/// <param name="GrowsDepthWise">Trees are bounded by depth (XGBoost), so a number of leaves becomes a depth.</param>
public sealed record TreeKnobs(string Library, string Rounds, string FeatureFraction, string BaggingFraction, string L2, bool GrowsDepthWise);

/// <summary>
/// What a family's rule for the dataset's size may change: the recipe, and the learning rate, epochs and reference batch
/// the advisor goes on with.
/// </summary>
public sealed class DataSizeAdaptation(Recipe recipe, long samples, List<string> tradeOffs)
{
    public Recipe Recipe { get; } = recipe;
    public long Samples { get; } = samples;
    /// <summary>"12,000 samples": how rationales name the size.</summary>
    public string Rows => $"{CardText.Count(Samples)} samples";
    public List<string> TradeOffs { get; } = tradeOffs;
    public required double BaseLearningRate { get; set; }
    public required double Epochs { get; set; }
    public required double ReferenceBatch { get; set; }
}

/// <summary>
/// One model family of the built-in catalogue: its sources, default architecture, published training recipe,
/// and the rules that turn those into a description (stage B) and a hyperparameter table (stage C).
/// </summary>
public sealed class ModelFamily
{
    public required string Key { get; init; }
    public required string DisplayName { get; init; }
    /// <summary>Regex matched against the model card's name and structure (case-insensitive).</summary>
    public required string NamePattern { get; init; }
    public required string Source { get; init; }
    public required IReadOnlyList<MlTask> Tasks { get; init; }
    public required IReadOnlyList<DataModality> Modalities { get; init; }
    public required LogStyle LogStyle { get; init; }
    public required string DefaultStructure { get; init; }
    public required string DefaultDescription { get; init; }
    public required IReadOnlyList<CardParameter> DefaultArchitecture { get; init; }

    /// <summary>Millions of trainable parameters for this card (0 for tree ensembles).</summary>
    public required Func<FamilyInput, double> ParamsMillions { get; init; }

    /// <summary>Markdown description of the architecture: layers, input and output, loss.</summary>
    public required Func<FamilyInput, string> Describe { get; init; }

    /// <summary>The published recipe before any adjustment to the data, the resources or the requests.</summary>
    public required Func<DataCard, Recipe> BaseRecipe { get; init; }

    public bool IsTreeEnsemble { get; init; }

    /// <summary>SGD/AdamW vision recipes scale the learning rate linearly with the total batch (Goyal et al. 2017).</summary>
    public bool ScaleLrLinearly { get; init; }

    /// <summary>Training memory per sample in GB (mixed precision) at <see cref="ReferenceInputSize"/>.</summary>
    public double GbPerSample { get; init; }

    /// <summary>Which hyperparameter sets the input size ("image_size", "max_seq_length") and its reference value.</summary>
    public string? InputSizeParameter { get; init; }
    public double ReferenceInputSize { get; init; }

    /// <summary>Memory grows with the square of the input size for pixels, linearly for tokens.</summary>
    public double InputSizeMemoryExponent { get; init; } = 2;

    /// <summary>The "faster inference" rule: changes the recipe, returns the trade-off in words.</summary>
    public required Func<FamilyInput, IntentSet, string> MakeFaster { get; init; }

    public IReadOnlyList<ReferenceResult> References { get; init; } = [];

    /// <summary>train.py's template (a <c>PythonTemplate</c> name: the .py beside the family's definition) and its needs.</summary>
    public required string TrainTemplate { get; init; }
    public required IReadOnlyList<string> Requirements { get; init; }

    /// <summary>train.py trains on data.py's output (a table), rather than offering a --dry-run on a generated batch.</summary>
    public bool TrainsOnPreparedData { get; init; }

    /// <summary>Said in the project's README when a package is needed that the app's own checks do not have.</summary>
    public string? InstallNote { get; init; }

    /// <summary>torchvision's constructor for the family's image classifier (train.py's ARCH).</summary>
    public string? TorchvisionArchitecture { get; init; }

    /// <summary>Tree ensembles: the library's names for the knobs (null for networks).</summary>
    public TreeKnobs? TreeKnobs { get; init; }

    /// <summary>data.py writes standardised arrays (a network on a table) rather than typed frames for trees.</summary>
    public bool PreparesScaledArrays { get; init; }

    /// <summary>A bi-encoder retriever: it learns from in-batch negatives, so its batch is part of the method, not a knob.</summary>
    public bool LearnsFromInBatchNegatives { get; init; }

    /// <summary>Small enough that CPU training needs no smaller batch.</summary>
    public bool TrainsWellOnCpu { get; init; }

    /// <summary>Mixed precision on GPUs (DETR's Hungarian matching and the MLP stay in fp32).</summary>
    public bool MixedPrecisionOnGpu { get; init; } = true;

    /// <summary>The card's image resolution caps image_size (DETR resizes to its own multi-scale sizes).</summary>
    public bool TakesCardResolution { get; init; } = true;

    /// <summary>Its published recipe trains with RandAugment and random erasing (DeiT, Swin), so data.py's transforms do.</summary>
    public bool StrongAugmentation { get; init; }

    /// <summary>The family's own rule for the dataset's size (fine-tune instead of train from scratch, epochs, batch).</summary>
    public Action<DataSizeAdaptation>? AdaptToDataSize { get; init; }

    public bool Matches(ModelCard card) =>
        Regex.IsMatch($"{card.Name} {card.Structure}", NamePattern, RegexOptions.IgnoreCase);

    public ModelCard TemplateCard() => new()
    {
        Name = DisplayName, Structure = DefaultStructure, Description = DefaultDescription,
        Parameters = DefaultArchitecture.Select(p => new CardParameter(p.Key, p.Value)).ToList(),
    };
}
