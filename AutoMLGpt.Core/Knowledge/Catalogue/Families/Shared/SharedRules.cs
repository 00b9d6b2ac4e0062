namespace AutoMLGpt.Core.Knowledge.Catalogue;

// Rules more than one family follows; each family's own file says which it takes.
public static partial class ModelCatalogue
{
    // A property: family fields in other files may be initialised before a field here would be.
    private static IReadOnlyList<string> TextRequirements =>
        ["torch>=1.13", "transformers>=4.30  # full runs only; --dry-run needs torch alone", "datasets>=2.12  # data.py"];

    // Below ImageNet scale, fine-tune pretrained weights: a fraction of the from-scratch rate, about 10k optimiser steps.
    private static void FineTuneImageClassifier(DataSizeAdaptation a, double factor)
    {
        if (a.Samples >= 300_000) return;
        var r = a.Recipe;
        a.BaseLearningRate *= factor;
        r.Adjust("learning_rate", a.BaseLearningRate, $"{a.Rows}: fine-tune pretrained weights at {F(factor)}× the from-scratch rate");
        a.Epochs = Math.Clamp(Math.Ceiling(10_000 * a.ReferenceBatch / a.Samples / 10) * 10, 10, 100);
        r.Adjust("epochs", a.Epochs, $"{a.Rows}: about 10k optimiser steps of fine-tuning");
        r.Adjust("warmup_epochs", Math.Min(r.NumberOf("warmup_epochs") ?? 5, Math.Max(1, a.Epochs / 10)), "warm-up about a tenth of training");
        r.Adjust("mixup_alpha", a.Samples < 20_000 ? 0.2 : 0.8, a.Samples < 20_000 ? "small data: lighter Mixup" : "");
    }
}
