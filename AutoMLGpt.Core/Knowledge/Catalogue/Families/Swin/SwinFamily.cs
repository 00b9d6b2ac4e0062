using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// Swin: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
    public static readonly ModelFamily Swin = new()
    {
        Key = "swin", DisplayName = "Swin-T", NamePattern = @"\bswin",
        Source = "Liu et al., Swin Transformer: Hierarchical Vision Transformer using Shifted Windows (ICCV 2021)",
        Tasks = [MlTask.MulticlassClassification, MlTask.BinaryClassification, MlTask.Segmentation], Modalities = [DataModality.Image],
        LogStyle = LogStyle.Timm,
        DefaultStructure = "Hierarchical Transformer with shifted-window attention, 4 stages, patch merging",
        DefaultDescription = "Swin Transformer, tiny: windowed self-attention with shifted windows, linear cost in image size.",
        DefaultArchitecture = [P("embed_dim", "96"), P("depths", "2,2,6,2"), P("num_heads", "3,6,12,24"), P("window_size", "7"), P("patch_size", "4"), P("image_size", "224")],
        ParamsMillions = i =>
        {
            var c = i.Num("embed_dim", 96);
            var depths = Ints(i.Str("depths", "2,2,6,2"));
            double sum = 0;
            for (var s = 0; s < depths.Length; s++) { var ch = c * Math.Pow(2, s); sum += depths[s] * 12 * ch * ch + (s < depths.Length - 1 ? 8 * ch * ch : 0); }
            return (sum + 48 * c + c * Math.Pow(2, depths.Length - 1) * i.Classes) / 1e6;
        },
        Describe = i =>
        {
            var c = i.Num("embed_dim", 96); var depths = Ints(i.Str("depths", "2,2,6,2")); var heads = Ints(i.Str("num_heads", "3,6,12,24"));
            var w = i.Num("window_size", 7); var img = i.Recipe.NumberOf("image_size") ?? i.Num("image_size", 224);
            var sb = new StringBuilder();
            sb.AppendLine($"- **Input**: RGB image {F(img)}×{F(img)} → 4×4 patch partition and linear embedding to {F(c)} channels ({F(img / 4)}×{F(img / 4)} tokens).");
            for (var s = 0; s < depths.Length; s++)
            {
                var res = img / 4 / Math.Pow(2, s);
                sb.AppendLine($"- **Stage {s + 1}**: {depths[s]} Swin blocks at {F(res)}×{F(res)}, {F(c * Math.Pow(2, s))} channels, {(s < heads.Length ? heads[s] : heads[^1])} heads; window {F(w)}×{F(w)}, alternating regular and shifted windows{(s < depths.Length - 1 ? "; then patch merging (2×2 → 2× channels)" : "")}.");
            }
            sb.AppendLine($"- **Head**: global average pooling, LayerNorm, linear {F(c * Math.Pow(2, depths.Length - 1))} → {i.Classes}.");
            sb.AppendLine($"- **Output**: {i.Classes} class logits{(i.Data.Task == MlTask.Segmentation ? "; for segmentation the four stage outputs feed a UPerNet decoder producing per-pixel logits" : "")}.");
            sb.AppendLine("- **Loss**: cross-entropy with label smoothing (Mixup/CutMix soft targets).");
            sb.Append("- **Cost**: attention within fixed windows is linear in the number of pixels.");
            return sb.ToString();
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "AdamW", "AdamW", "Swin paper, ImageNet-1k training")
            .Num("learning_rate", 1e-3, "float", "1e-5 – 2e-3", "Swin: 1e-3 at batch 1024")
            .Num("batch_size", 1024, "int", "64 – 4096", "Swin reference total batch")
            .Num("per_gpu_batch_size", 128, "int", "8 – 256", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 16", "")
            .Num("epochs", 300, "int", "10 – 300", "Swin: 300 epochs")
            .Num("warmup_epochs", 20, "int", "0 – 20", "Swin: 20 linear warm-up epochs")
            .Text("lr_schedule", "cosine", "cosine", "cosine decay")
            .Num("weight_decay", 0.05, "float", "0 – 0.1", "Swin: 0.05")
            .Num("drop_path", 0.2, "float", "0 – 0.5", "Swin-T: 0.2")
            .Num("label_smoothing", 0.1, "float", "0 – 0.2", "Swin: 0.1")
            .Num("grad_clip", 5.0, "float", "0 – 10", "Swin: max norm 5")
            .Num("image_size", 224, "int", "128 – 384", "Swin-T pretraining resolution")
            .Text("mixed_precision", "fp16", "fp32 | fp16 | bf16", "Swin trains with AMP"),
        ScaleLrLinearly = true, GbPerSample = 0.12, InputSizeParameter = "image_size", ReferenceInputSize = 224,
        MakeFaster = (i, _) => ShrinkImage(i.Recipe, 192, "Swin's cost is linear in pixels: 192 px is about 1.36× faster than 224 px, typically −0.5 to −1 point top-1; for more speed use Swin-T over Swin-S/B"),
        References =
        [
            new(@"imagenet.*(1k|2012)|^imagenet$|ilsvrc", "top-1 accuracy", 81.3, "Swin-T, ImageNet-1k (Liu et al. 2021, Table 1)"),
            new(@"ade20k", "mIoU", 44.5, "Swin-T + UPerNet, ADE20K (Liu et al. 2021, Table 3)"),
        ],
        TrainTemplate = "Families/Shared/train_image_classifier.py", Requirements = ["torch>=1.13", "torchvision>=0.14", "pillow>=9"], StrongAugmentation = true, TorchvisionArchitecture = "swin_t",
        AdaptToDataSize = a => FineTuneImageClassifier(a, 0.1),
    };
}
