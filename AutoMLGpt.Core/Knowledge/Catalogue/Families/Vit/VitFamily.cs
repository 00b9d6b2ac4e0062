using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// Vit: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily Vit = new()
    {
        Key = "vit", DisplayName = "ViT-B/16", NamePattern = @"\bvit\b|vision transformer|deit",
        Source = "Dosovitskiy et al., An Image is Worth 16x16 Words (ICLR 2021); training recipe of Touvron et al., DeiT (ICML 2021)",
        Tasks = [MlTask.MulticlassClassification, MlTask.BinaryClassification], Modalities = [DataModality.Image, DataModality.Audio],
        LogStyle = LogStyle.Timm,
        DefaultStructure = "Transformer encoder over 16x16 image patches, [CLS] token, linear head",
        DefaultDescription = "Vision Transformer, base size, patch 16; ImageNet-21k pretrained checkpoint for fine-tuning.",
        DefaultArchitecture = [P("patch_size", "16"), P("hidden_size", "768"), P("num_layers", "12"), P("num_heads", "12"), P("mlp_dim", "3072"), P("image_size", "224")],
        ParamsMillions = i =>
        {
            double d = i.Num("hidden_size", 768), l = i.Num("num_layers", 12), m = i.Num("mlp_dim", 4 * d), p = i.Num("patch_size", 16);
            var img = i.Recipe.NumberOf("image_size") ?? i.Num("image_size", 224);
            var tokens = Math.Pow(img / p, 2) + 1;
            return (l * (4 * d * d + 2 * d * m + 9 * d + m) + 3 * p * p * d + tokens * d + d * i.Classes) / 1e6;
        },
        Describe = i =>
        {
            double d = i.Num("hidden_size", 768), l = i.Num("num_layers", 12), h = i.Num("num_heads", 12), m = i.Num("mlp_dim", 4 * d), p = i.Num("patch_size", 16);
            var img = i.Recipe.NumberOf("image_size") ?? i.Num("image_size", 224);
            var n = Math.Pow(Math.Floor(img / p), 2);
            return $"""
                - **Input**: RGB image {F(img)}×{F(img)}, normalised with ImageNet mean/std → cut into {F(n)} patches of {F(p)}×{F(p)} pixels.
                - **Patch embedding**: a {F(p)}×{F(p)} convolution with stride {F(p)} (3 → {F(d)} channels), plus a learnable [CLS] token and {F(n + 1)} learned position embeddings.
                - **Encoder**: {F(l)} pre-norm Transformer blocks, each LayerNorm → multi-head self-attention ({F(h)} heads of {F(d / h)} dims) → residual → LayerNorm → MLP {F(d)}→{F(m)}→{F(d)} with GELU → residual. Stochastic depth on the residual branches.
                - **Head**: final LayerNorm on [CLS], linear {F(d)} → {i.Classes} ({string.Join(", ", i.Data.Classes.Take(6))}{(i.Data.Classes.Count > 6 ? ", …" : "")}).
                - **Output**: {i.Classes} logits per image; softmax gives class probabilities.
                - **Loss**: soft-target cross-entropy (label smoothing, Mixup/CutMix targets).
                - **Cost**: self-attention is quadratic in the {F(n + 1)} tokens; halving the image side cuts tokens by 4×.
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "AdamW", "AdamW | SGD", "DeiT recipe (Touvron et al. 2021)")
            .Num("learning_rate", 5e-4, "float", "1e-5 – 2e-3", "DeiT: 5e-4 × batch/512")
            .Num("batch_size", 1024, "int", "64 – 4096", "DeiT reference total batch")
            .Num("per_gpu_batch_size", 128, "int", "8 – 256", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 16", "")
            .Num("epochs", 300, "int", "10 – 300", "DeiT trains 300 epochs from scratch")
            .Num("warmup_epochs", 5, "int", "0 – 20", "DeiT: 5 warm-up epochs")
            .Text("lr_schedule", "cosine", "cosine | step", "cosine decay to 1e-5")
            .Num("weight_decay", 0.05, "float", "0 – 0.3", "DeiT: 0.05")
            .Num("label_smoothing", 0.1, "float", "0 – 0.2", "DeiT: 0.1")
            .Num("drop_path", 0.1, "float", "0 – 0.5", "stochastic depth, DeiT-B: 0.1")
            .Num("mixup_alpha", 0.8, "float", "0 – 1", "DeiT: Mixup 0.8, CutMix 1.0")
            .Text("augmentation", "RandAugment m9-mstd0.5, random erasing 0.25", "", "DeiT data augmentation")
            .Num("image_size", 224, "int", "96 – 518", "ViT/DeiT pretraining resolution")
            .Text("mixed_precision", "bf16", "fp32 | fp16 | bf16", "halves activation memory on modern GPUs"),
        ScaleLrLinearly = true, GbPerSample = 0.14, InputSizeParameter = "image_size", ReferenceInputSize = 224,
        MakeFaster = (i, _) => ShrinkImage(i.Recipe, 160, "ViT cost grows with the square of the patch count: 160 px gives 100 tokens instead of 196, about 1.9× higher throughput, typically −1 to −2 points top-1 (Touvron et al. 2021 resolution study)"),
        References =
        [
            new(@"imagenet.*(1k|2012)|^imagenet$|ilsvrc", "top-1 accuracy", 81.8, "DeiT-B, ImageNet-1k, 300 epochs (Touvron et al. 2021, Table 7)"),
            new(@"cifar[- ]?10\b", "top-1 accuracy", 98.1, "ViT-B/16 fine-tuned from ImageNet-21k (Dosovitskiy et al. 2021, Table 2)"),
            new(@"cifar[- ]?100", "top-1 accuracy", 87.1, "ViT-B/16 fine-tuned from ImageNet-21k (Dosovitskiy et al. 2021, Table 2)"),
        ],
        TrainTemplate = "Families/Shared/train_image_classifier.py", Requirements = ["torch>=1.13", "torchvision>=0.14", "pillow>=9"], StrongAugmentation = true, TorchvisionArchitecture = "vit_b_16",
        AdaptToDataSize = a => FineTuneImageClassifier(a, 0.2),
    };
}
