using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// ResNet: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily ResNet = new()
    {
        Key = "resnet", DisplayName = "ResNet-50", NamePattern = @"resnet|residual network",
        Source = "He et al., Deep Residual Learning for Image Recognition (CVPR 2016); Goyal et al., Accurate, Large Minibatch SGD (2017)",
        Tasks = [MlTask.MulticlassClassification, MlTask.BinaryClassification], Modalities = [DataModality.Image],
        LogStyle = LogStyle.Timm,
        DefaultStructure = "Bottleneck residual CNN, 4 stages, global average pooling, linear head",
        DefaultDescription = "ResNet-50 v1.5 (stride 2 in the 3×3 convolution), ImageNet-pretrained.",
        DefaultArchitecture = [P("depth", "50"), P("base_width", "64"), P("image_size", "224")],
        ParamsMillions = i =>
        {
            var backbone = i.Num("depth", 50) switch { 18 => 11.2, 34 => 21.3, 101 => 42.5, 152 => 58.1, _ => 23.5 };
            var feat = i.Num("depth", 50) is 18 or 34 ? 512 : 2048;
            return backbone * Math.Pow(i.Num("base_width", 64) / 64, 2) + feat * i.Classes / 1e6;
        },
        Describe = i =>
        {
            var depth = i.Num("depth", 50); var img = i.Recipe.NumberOf("image_size") ?? i.Num("image_size", 224);
            var blocks = depth switch { 18 => "2, 2, 2, 2", 34 or 50 => "3, 4, 6, 3", 101 => "3, 4, 23, 3", 152 => "3, 8, 36, 3", _ => "3, 4, 6, 3" };
            var bottleneck = depth >= 50; var feat = bottleneck ? 2048 : 512;
            return $"""
                - **Input**: RGB image {F(img)}×{F(img)}, ImageNet normalisation.
                - **Stem**: 7×7 convolution, 64 channels, stride 2 → BatchNorm → ReLU → 3×3 max-pool, stride 2 ({F(img / 4)}×{F(img / 4)}).
                - **Stages**: [{blocks}] {(bottleneck ? "bottleneck blocks (1×1 → 3×3 → 1×1, expansion 4)" : "basic blocks (two 3×3)")} at {F(img / 4)}, {F(img / 8)}, {F(img / 16)}, {F(img / 32)} pixels; widths {F(i.Num("base_width", 64))}·2^k; identity shortcuts, projection shortcut where the shape changes.
                - **Head**: global average pooling → {feat}-d → linear {feat} → {i.Classes}.
                - **Output**: {i.Classes} class logits.
                - **Loss**: cross-entropy (label smoothing 0.1 in the modern recipe).
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "SGD (momentum 0.9, Nesterov)", "SGD | AdamW", "He et al. 2016")
            .Num("learning_rate", 0.1, "float", "1e-3 – 0.8", "0.1 × batch/256 (Goyal et al. 2017)")
            .Num("batch_size", 256, "int", "32 – 8192", "reference total batch")
            .Num("per_gpu_batch_size", 256, "int", "8 – 512", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 16", "")
            .Num("epochs", 90, "int", "10 – 200", "90-epoch ImageNet schedule")
            .Num("warmup_epochs", 5, "int", "0 – 10", "gradual warm-up (Goyal et al. 2017)")
            .Text("lr_schedule", "cosine", "step 30/60/80 | cosine", "cosine matches the step schedule at 90 epochs")
            .Num("weight_decay", 1e-4, "float", "1e-5 – 5e-4", "He et al. 2016: 1e-4")
            .Num("label_smoothing", 0.1, "float", "0 – 0.2", "")
            .Num("image_size", 224, "int", "128 – 320", "standard crop")
            .Text("mixed_precision", "fp16", "fp32 | fp16 | bf16", "channels-last + AMP"),
        ScaleLrLinearly = true, GbPerSample = 0.08, InputSizeParameter = "image_size", ReferenceInputSize = 224,
        MakeFaster = (i, _) => ShrinkImage(i.Recipe, 176, "176 px needs 0.62× the FLOPs of 224 px; train at 176 and test at 224 keeps most of the accuracy (Touvron et al. 2019, FixRes)"),
        References = [new(@"imagenet.*(1k|2012)|^imagenet$|ilsvrc", "top-1 accuracy", 76.1, "ResNet-50, torchvision v1 weights")],
        TrainTemplate = "Families/Shared/train_image_classifier.py", Requirements = ["torch>=1.13", "torchvision>=0.14", "pillow>=9"], TorchvisionArchitecture = "resnet50",
        AdaptToDataSize = a => FineTuneImageClassifier(a, 0.1),
    };
}
