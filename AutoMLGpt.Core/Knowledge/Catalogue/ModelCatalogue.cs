using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

/// <summary>
/// The built-in catalogue of model families with their published defaults. Every number here comes from the
/// cited paper or the library's documented defaults; the advisor then adapts them to the data and the hardware.
/// </summary>
public static class ModelCatalogue
{
    private static string F(double v, string fmt = "0.##") => v.ToString(fmt, CultureInfo.InvariantCulture);
    private static CardParameter P(string k, string v) => new(k, v);

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
    };

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
    };

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
    };

    public static readonly ModelFamily Detr = new()
    {
        Key = "detr", DisplayName = "DETR (ResNet-50)", NamePattern = @"\bdetr\b|detection transformer",
        Source = "Carion et al., End-to-End Object Detection with Transformers (ECCV 2020)",
        Tasks = [MlTask.ObjectDetection, MlTask.Segmentation], Modalities = [DataModality.Image],
        LogStyle = LogStyle.Detr,
        DefaultStructure = "CNN backbone + Transformer encoder-decoder + set prediction with Hungarian matching",
        DefaultDescription = "DETR: a ResNet-50 backbone, a 6+6 layer Transformer and 100 object queries predicting boxes directly.",
        DefaultArchitecture = [P("backbone", "resnet50"), P("enc_layers", "6"), P("dec_layers", "6"), P("hidden_dim", "256"), P("nheads", "8"), P("dim_feedforward", "2048"), P("num_queries", "100")],
        ParamsMillions = i =>
        {
            double d = i.Num("hidden_dim", 256), ff = i.Num("dim_feedforward", 2048);
            var backbone = i.Str("backbone", "resnet50").ToLowerInvariant() switch { var b when b.Contains("101") => 42.5, var b when b.Contains("swin") => 27.5, _ => 23.5 };
            var enc = i.Num("enc_layers", 6) * (4 * d * d + 2 * d * ff);
            var dec = i.Num("dec_layers", 6) * (8 * d * d + 2 * d * ff);
            return backbone + (enc + dec + 2048 * d + d * (i.Classes + 1) + 3 * d * d + i.Num("num_queries", 100) * d) / 1e6;
        },
        Describe = i =>
        {
            var backbone = i.Str("backbone", "resnet50"); var d = i.Num("hidden_dim", 256); var q = i.Num("num_queries", 100);
            var shortSide = i.Recipe.NumberOf("image_size") ?? 800;
            return $"""
                - **Input**: an image resized so its short side is {F(shortSide)} px (long side ≤ {F(Math.Round(shortSide * 1333 / 800))}), normalised, with a padding mask for batching.
                - **Backbone**: {backbone} (ImageNet-pretrained, frozen BatchNorm) → C5 feature map at stride 32 with {(backbone.Contains("swin", StringComparison.OrdinalIgnoreCase) ? "768" : "2048")} channels → 1×1 convolution to {F(d)} channels.
                - **Encoder**: {F(i.Num("enc_layers", 6))} Transformer layers ({F(i.Num("nheads", 8))} heads, FFN {F(i.Num("dim_feedforward", 2048))}, dropout 0.1) over the flattened feature map with 2-D sine position encodings.
                - **Decoder**: {F(i.Num("dec_layers", 6))} layers; {F(q)} learned object queries attend to the encoder memory; auxiliary losses after every decoder layer.
                - **Heads**: per query a linear class head ({i.Classes} classes + "no object") and a 3-layer MLP predicting a normalised box (cx, cy, w, h).
                - **Output**: {F(q)} (class, box) pairs per image, no NMS needed.
                - **Loss**: Hungarian matching between predictions and ground truth, then cross-entropy (no-object weight 0.1) + 5 × L1 box + 2 × generalised IoU.
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "AdamW", "AdamW", "Carion et al. 2020")
            .Num("learning_rate", 1e-4, "float", "1e-5 – 2e-4", "DETR: transformer lr 1e-4")
            .Num("backbone_learning_rate", 1e-5, "float", "0 – 1e-4", "DETR: backbone lr 1e-5")
            .Num("batch_size", 64, "int", "8 – 128", "DETR: 4 images × 16 V100")
            .Num("per_gpu_batch_size", 4, "int", "1 – 16", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 16", "")
            .Num("epochs", 500, "int", "50 – 500", "DETR long schedule: 500 epochs")
            .Num("lr_drop_epoch", 400, "int", "", "lr × 0.1 at epoch 400")
            .Num("weight_decay", 1e-4, "float", "1e-5 – 1e-3", "DETR: 1e-4")
            .Num("grad_clip", 0.1, "float", "0 – 1", "DETR: max grad norm 0.1")
            .Num("dropout", 0.1, "float", "0 – 0.3", "transformer dropout")
            .Num("image_size", 800, "int", "480 – 800", "short side; multi-scale 480–800 during training")
            .Text("augmentation", "random flip, multi-scale resize 480–800, random crop", "", "DETR augmentation")
            .Text("mixed_precision", "fp32", "fp32 | fp16", "DETR's reference runs are fp32; fp16 can destabilise the Hungarian loss"),
        GbPerSample = 3.2, InputSizeParameter = "image_size", ReferenceInputSize = 800,
        MakeFaster = (i, _) => ShrinkImage(i.Recipe, 512, "a 512 px short side cuts encoder tokens by about 2.4×; DETR R50 runs at 28 FPS on a V100 at 800 px (Carion et al. 2020, Table 1) and roughly 45–50 FPS at 512 px, at a cost of about 3–5 AP, mostly on small objects"),
        References =
        [
            new(@"coco", "mAP@[.5:.95]", 42.0, "DETR R50, 500 epochs, COCO val2017 (Carion et al. 2020, Table 1)"),
            new(@"pascal|voc", "mAP@.5", 76.0, "DETR-style detectors fine-tuned on VOC07+12, typical reported range"),
        ],
    };

    public static readonly ModelFamily UNet = new()
    {
        Key = "unet", DisplayName = "U-Net", NamePattern = @"u-?net|nnu-?net",
        Source = "Ronneberger et al., U-Net (MICCAI 2015); training recipe of Isensee et al., nnU-Net (Nature Methods 2021)",
        Tasks = [MlTask.Segmentation], Modalities = [DataModality.Image],
        LogStyle = LogStyle.NnUnet,
        DefaultStructure = "Symmetric encoder-decoder CNN with skip connections",
        DefaultDescription = "2-D U-Net: contracting path of double 3×3 convolutions, expanding path with up-convolutions and skip connections.",
        DefaultArchitecture = [P("base_channels", "32"), P("depth", "5"), P("norm", "instance"), P("image_size", "512")],
        ParamsMillions = i =>
        {
            var c = i.Num("base_channels", 32); var depth = (int)i.Num("depth", 5);
            double total = 0, prev = 3;
            for (var l = 0; l <= depth; l++) { var ch = Math.Min(c * Math.Pow(2, l), 512); total += 9 * (prev * ch + ch * ch); prev = ch; }
            for (var l = depth - 1; l >= 0; l--) { var ch = Math.Min(c * Math.Pow(2, l), 512); var up = Math.Min(c * Math.Pow(2, l + 1), 512); total += 4 * up * ch + 9 * (2 * ch * ch + ch * ch); }
            return (total + c * i.Classes) / 1e6;
        },
        Describe = i =>
        {
            var c = i.Num("base_channels", 32); var depth = (int)i.Num("depth", 5); var img = i.Recipe.NumberOf("image_size") ?? i.Num("image_size", 512);
            var widths = string.Join(", ", Enumerable.Range(0, depth + 1).Select(l => F(Math.Min(c * Math.Pow(2, l), 512))));
            return $"""
                - **Input**: image patches of {F(img)}×{F(img)}, z-score normalised per image.
                - **Encoder**: {depth + 1} resolution levels with widths [{widths}]; each level is two 3×3 convolutions → {i.Str("norm", "instance")} norm → LeakyReLU, then a stride-2 convolution to go down.
                - **Bottleneck** at {F(img / Math.Pow(2, depth))}×{F(img / Math.Pow(2, depth))}.
                - **Decoder**: {depth} levels of 2×2 transposed convolution, concatenation with the encoder skip at the same resolution, two 3×3 convolutions.
                - **Head**: 1×1 convolution to {i.Classes} channels ({string.Join(", ", i.Data.Classes.Take(6))}); deep supervision on the lower decoder levels.
                - **Output**: per-pixel class logits, {F(img)}×{F(img)}×{i.Classes}; sliding-window inference with Gaussian weighting for large images.
                - **Loss**: soft Dice + cross-entropy (equal weights).
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "SGD (Nesterov, momentum 0.99)", "SGD | Adam", "nnU-Net default")
            .Num("learning_rate", 0.01, "float", "1e-4 – 0.05", "nnU-Net: 0.01, poly decay (exponent 0.9)")
            .Num("batch_size", 12, "int", "2 – 64", "nnU-Net 2-D default")
            .Num("per_gpu_batch_size", 12, "int", "1 – 64", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 16", "")
            .Num("epochs", 1000, "int", "50 – 1000", "nnU-Net: 1000 epochs × 250 iterations")
            .Text("lr_schedule", "poly (0.9)", "poly | cosine", "nnU-Net")
            .Num("weight_decay", 3e-5, "float", "0 – 1e-3", "nnU-Net: 3e-5")
            .Num("image_size", 512, "int", "128 – 1024", "patch size")
            .Text("augmentation", "rotation, scaling, elastic, gamma, mirroring", "", "nnU-Net augmentation")
            .Text("mixed_precision", "fp16", "fp32 | fp16", "AMP"),
        GbPerSample = 0.7, InputSizeParameter = "image_size", ReferenceInputSize = 512,
        MakeFaster = (i, _) => ShrinkImage(i.Recipe, 384, "384 px patches need 0.56× the compute of 512 px; thin structures lose some Dice (−1 to −3 points is common)"),
        References = [],
    };

    public static readonly ModelFamily Dpr = new()
    {
        Key = "dpr", DisplayName = "DPR (BERT bi-encoder)", NamePattern = @"\bdpr\b|dense passage|bi-?encoder|retriever",
        Source = "Karpukhin et al., Dense Passage Retrieval for Open-Domain Question Answering (EMNLP 2020)",
        Tasks = [MlTask.QuestionAnswering], Modalities = [DataModality.Text, DataModality.Multimodal],
        LogStyle = LogStyle.Dpr,
        DefaultStructure = "Two BERT-base encoders (question, passage), [CLS] embeddings, dot-product similarity",
        DefaultDescription = "Dense Passage Retriever: separate question and passage BERT-base encoders trained with in-batch negatives.",
        DefaultArchitecture = [P("hidden_size", "768"), P("num_layers", "12"), P("num_heads", "12"), P("max_seq_length", "256"), P("projection_dim", "0")],
        ParamsMillions = i => 2 * BertParams(i.Num("hidden_size", 768), i.Num("num_layers", 12)),
        Describe = i =>
        {
            double d = i.Num("hidden_size", 768), l = i.Num("num_layers", 12), proj = i.Num("projection_dim", 0);
            var seq = i.Recipe.NumberOf("max_seq_length") ?? i.Num("max_seq_length", 256);
            var qseq = i.Recipe.NumberOf("max_question_length");
            return $"""
                - **Input**: a question (≤ {F(qseq ?? seq)} WordPiece tokens) and passages of 100 words (title [SEP] text, ≤ {F(seq)} tokens).
                - **Question encoder E_Q**: BERT ({F(l)} layers, hidden {F(d)}, {F(i.Num("num_heads", 12))} heads, uncased WordPiece vocabulary of 30,522).
                - **Passage encoder E_P**: a second, independent BERT of the same size.
                - **Representation**: the [CLS] vector{(proj > 0 ? $", projected to {F(proj)} dims" : $", {F(d)} dims")}.
                - **Similarity**: sim(q, p) = E_Q(q)ᵀ E_P(p); passages are pre-encoded and indexed with FAISS for maximum inner product search.
                - **Output**: the top-k passages per question (k = 20 and 100 for evaluation).
                - **Loss**: negative log-likelihood of the positive passage against in-batch negatives plus one BM25 hard negative per question.
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "Adam", "Adam | AdamW", "Karpukhin et al. 2020")
            .Num("learning_rate", 1e-5, "float", "5e-6 – 5e-5", "DPR: 1e-5")
            .Num("batch_size", 128, "int", "16 – 512", "DPR: 128 questions, in-batch negatives")
            .Num("per_gpu_batch_size", 16, "int", "2 – 64", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 8", "accumulation does not add in-batch negatives")
            .Num("epochs", 40, "int", "10 – 100", "DPR: 40 epochs for NQ/TriviaQA/SQuAD, 100 for small sets")
            .Num("warmup_steps", 1237, "int", "0 – 5000", "linear warm-up then linear decay")
            .Text("lr_schedule", "linear", "linear", "DPR")
            .Num("dropout", 0.1, "float", "0 – 0.2", "DPR: 0.1")
            .Num("hard_negatives", 1, "int", "0 – 7", "DPR: one BM25 negative per question")
            .Num("max_seq_length", 256, "int", "64 – 512", "passage length limit")
            .Num("max_question_length", 256, "int", "16 – 256", "")
            .Num("grad_clip", 2.0, "float", "0 – 5", "DPR repository default")
            .Text("mixed_precision", "fp16", "fp32 | fp16", "DPR trains with apex fp16"),
        GbPerSample = 1.6, InputSizeParameter = "max_seq_length", ReferenceInputSize = 256, InputSizeMemoryExponent = 1.3,
        MakeFaster = (i, _) =>
        {
            i.Recipe.Adjust("max_question_length", 64, "faster inference: questions are short, 64 tokens cover > 99% of NQ questions");
            return "inference cost sits in the question encoder (passages are indexed once): questions capped at 64 tokens encode about 4× faster with no measurable recall loss; for more speed replace E_Q by a 6-layer distilled BERT (about 2× faster again, −1 to −2 points top-20)";
        },
        References =
        [
            new(@"natural questions|\bnq\b", "top-20 retrieval accuracy", 78.4, "DPR single, NQ test (Karpukhin et al. 2020, Table 2)"),
            new(@"trivia", "top-20 retrieval accuracy", 79.4, "DPR single, TriviaQA test (Karpukhin et al. 2020, Table 2)"),
        ],
    };

    public static readonly ModelFamily Bert = new()
    {
        Key = "bert", DisplayName = "BERT-base fine-tuning", NamePattern = @"\bbert\b|roberta|deberta|distilbert|transformer encoder",
        Source = "Devlin et al., BERT: Pre-training of Deep Bidirectional Transformers (NAACL 2019)",
        Tasks = [MlTask.BinaryClassification, MlTask.MulticlassClassification, MlTask.QuestionAnswering, MlTask.Regression], Modalities = [DataModality.Text, DataModality.Multimodal],
        LogStyle = LogStyle.HuggingFace,
        DefaultStructure = "12-layer Transformer encoder, task head on [CLS] (classification) or token logits (span QA)",
        DefaultDescription = "bert-base-uncased fine-tuned end to end.",
        DefaultArchitecture = [P("hidden_size", "768"), P("num_layers", "12"), P("num_heads", "12"), P("intermediate_size", "3072"), P("max_seq_length", "128")],
        ParamsMillions = i => BertParams(i.Num("hidden_size", 768), i.Num("num_layers", 12)) + i.Num("hidden_size", 768) * i.Classes / 1e6,
        Describe = i =>
        {
            double d = i.Num("hidden_size", 768), l = i.Num("num_layers", 12);
            var seq = i.Recipe.NumberOf("max_seq_length") ?? i.Num("max_seq_length", 128);
            var head = i.Data.Task switch
            {
                MlTask.QuestionAnswering => $"linear {F(d)} → 2 per token (span start and end logits)",
                MlTask.Regression => $"dropout 0.1 → linear {F(d)} → 1 on [CLS]",
                _ => $"dropout 0.1 → linear {F(d)} → {i.Classes} on the pooled [CLS] vector",
            };
            var loss = i.Data.Task switch
            {
                MlTask.QuestionAnswering => "cross-entropy over start and end positions",
                MlTask.Regression => "mean squared error",
                _ => "cross-entropy",
            };
            return $"""
                - **Input**: [CLS] text [SEP] (pairs: [CLS] a [SEP] b [SEP]), WordPiece tokens truncated/padded to {F(seq)}, with attention mask and segment ids.
                - **Embeddings**: token + position (512) + segment embeddings, {F(d)} dims, LayerNorm, dropout 0.1.
                - **Encoder**: {F(l)} post-norm Transformer layers, {F(i.Num("num_heads", 12))} heads, FFN {F(d)}→{F(i.Num("intermediate_size", 4 * d))}→{F(d)} with GELU.
                - **Head**: {head}.
                - **Output**: {(i.Data.Task == MlTask.Regression ? "one real value" : i.Data.Task == MlTask.QuestionAnswering ? "the best answer span (start ≤ end, ≤ 30 tokens)" : $"{i.Classes} class logits")}.
                - **Loss**: {loss}.
                """;
        },
        BaseRecipe = d => new Recipe()
            .Text("optimizer", "AdamW", "AdamW", "Devlin et al. 2019 (Adam with decoupled weight decay)")
            .Num("learning_rate", d.Task == MlTask.QuestionAnswering ? 3e-5 : 2e-5, "float", "1e-5 – 5e-5", "BERT fine-tuning grid {5e-5, 3e-5, 2e-5}")
            .Num("batch_size", 32, "int", "8 – 128", "BERT: 16 or 32")
            .Num("per_gpu_batch_size", 32, "int", "4 – 64", "")
            .Num("gradient_accumulation_steps", 1, "int", "1 – 8", "")
            .Num("epochs", 3, "int", "2 – 10", "BERT: 2–4 epochs")
            .Num("warmup_ratio", 0.1, "float", "0 – 0.2", "10% linear warm-up")
            .Text("lr_schedule", "linear", "linear", "linear decay to 0")
            .Num("weight_decay", 0.01, "float", "0 – 0.1", "BERT: 0.01")
            .Num("dropout", 0.1, "float", "0 – 0.2", "BERT: 0.1")
            .Num("max_seq_length", d.Task == MlTask.QuestionAnswering ? 384 : 128, "int", "32 – 512", d.Task == MlTask.QuestionAnswering ? "SQuAD: 384 with doc stride 128" : "128 covers most sentence-level inputs")
            .Text("mixed_precision", "fp16", "fp32 | fp16 | bf16", ""),
        GbPerSample = 0.25, InputSizeParameter = "max_seq_length", ReferenceInputSize = 128, InputSizeMemoryExponent = 1.3,
        MakeFaster = (i, _) =>
        {
            var seq = i.Recipe.NumberOf("max_seq_length") ?? 128;
            i.Recipe.Adjust("max_seq_length", Math.Max(32, seq / 2), "faster inference: half the sequence length");
            return $"max_seq_length {F(seq)} → {F(Math.Max(32, seq / 2))} roughly doubles throughput (attention and FFN scale with length); check how many inputs get truncated. For 2× more, distil to 6 layers (DistilBERT keeps about 97% of BERT's GLUE score, Sanh et al. 2019)";
        },
        References =
        [
            new(@"sst-?2", "accuracy", 93.5, "BERT-base, SST-2 (Devlin et al. 2019, Table 1)"),
            new(@"squad", "F1", 88.5, "BERT-base, SQuAD v1.1 dev (Devlin et al. 2019, Table 2)"),
            new(@"imdb", "accuracy", 94.0, "BERT-base fine-tuned on IMDb (Sun et al. 2019)"),
        ],
    };

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
    };

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
    };

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
    };

    public static IReadOnlyList<ModelFamily> All { get; } = [Detr, Swin, Vit, ResNet, UNet, Dpr, Bert, XGBoost, LightGbm, Mlp];

    /// <summary>
    /// The family a model card names (DETR before Swin, so "Swin-T + DETR" is a detector with a Swin backbone),
    /// else the family that suits the data card, with a note saying so.
    /// </summary>
    public static (ModelFamily Family, string? Note) Resolve(ModelCard model, DataCard data)
    {
        var named = All.Where(f => f.Matches(model)).ToList();
        var fit = named.FirstOrDefault(f => f.Tasks.Contains(data.Task) && f.Modalities.Contains(data.Modality)) ?? named.FirstOrDefault();
        if (fit is not null)
        {
            if (!fit.Tasks.Contains(data.Task) || !fit.Modalities.Contains(data.Modality))
                return (fit, $"{fit.DisplayName} is not usually used for {TaskDefaults.Display(data.Task)} on {data.Modality.ToString().ToLowerInvariant()} data; the recipe below is its published one and may need more tuning.");
            return (fit, null);
        }
        var fallback = (data.Modality, data.Task) switch
        {
            (DataModality.Tabular, _) => LightGbm,
            (_, MlTask.ObjectDetection) => Detr,
            (_, MlTask.Segmentation) => UNet,
            (_, MlTask.QuestionAnswering) => Dpr,
            (DataModality.Text, _) => Bert,
            _ => Vit,
        };
        return (fallback, $"No catalogue family matches \"{model.Name}\"; the engine used {fallback.DisplayName}, the closest published recipe for {TaskDefaults.Display(data.Task)} on {data.Modality.ToString().ToLowerInvariant()} data.");
    }

    public static ModelFamily? ByKey(string key) => All.FirstOrDefault(f => f.Key == key);

    private static double BertParams(double d, double layers) => (layers * (12 * d * d + 13 * d) + 30522 * d + 514 * d + d * d) / 1e6;

    private static int[] Ints(string s) =>
        s.Split([',', ' ', '[', ']', '(', ')'], StringSplitOptions.RemoveEmptyEntries)
         .Select(x => int.TryParse(x, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0).Where(v => v > 0).DefaultIfEmpty(2).ToArray();

    private static string ShrinkImage(Recipe r, double target, string tradeOff)
    {
        var now = r.NumberOf("image_size") ?? target;
        if (now <= target) return $"input already at {F(now)} px; {tradeOff}";
        r.Adjust("image_size", target, $"faster inference: {F(now)} → {F(target)} px");
        return tradeOff;
    }

    internal static string TreeObjective(DataCard d, string lib) => (d.Task, lib) switch
    {
        (MlTask.BinaryClassification, "xgb") => "binary:logistic",
        (MlTask.MulticlassClassification, "xgb") => "multi:softprob",
        (_, "xgb") => "reg:squarederror",
        (MlTask.BinaryClassification, _) => "binary",
        (MlTask.MulticlassClassification, _) => "multiclass",
        _ => "regression",
    };

    internal static string TreeMetric(DataCard d, string lib)
    {
        var m = d.PrimaryMetric.ToLowerInvariant();
        if (m.Contains("auc")) return "auc";
        return (d.Task, lib) switch
        {
            (MlTask.BinaryClassification, "xgb") => "logloss,error",
            (MlTask.MulticlassClassification, "xgb") => "mlogloss,merror",
            (_, "xgb") => "rmse",
            (MlTask.BinaryClassification, _) => "binary_logloss,binary_error",
            (MlTask.MulticlassClassification, _) => "multi_logloss,multi_error",
            _ => "rmse",
        };
    }

    private static string TreeDescription(FamilyInput i, string growth, string leaves, string gain)
    {
        var d = i.Data;
        var trees = i.Recipe.NumberOf("n_estimators") ?? i.Recipe.NumberOf("num_iterations") ?? 100;
        var perRound = d.Task == MlTask.MulticlassClassification ? $"{i.Classes} trees per round (one per class), {F(trees * i.Classes)} in all" : $"{F(trees)} trees";
        var inputs = d.NumericColumnList.Count + d.CategoricalColumnList.Count > 0
            ? $"{d.NumericColumnList.Count} numeric columns as they are (no scaling needed) and {d.CategoricalColumnList.Count} categorical columns as native categories; missing values kept as missing (each split learns a default direction)"
            : $"{d.Features?.ToString(CultureInfo.InvariantCulture) ?? "all"} feature columns; numeric as is, categorical as native categories; missing values kept as missing";
        var output = d.Task switch
        {
            MlTask.BinaryClassification => $"sum of leaf values → sigmoid → P({d.Classes.LastOrDefault() ?? "positive"})",
            MlTask.MulticlassClassification => $"per-class sums → softmax over {i.Classes} classes",
            _ => "sum of leaf values = predicted value",
        };
        var loss = d.Task switch
        {
            MlTask.BinaryClassification => "binary log loss",
            MlTask.MulticlassClassification => "multi-class log loss",
            _ => "squared error",
        };
        return $"""
            - **Input**: {inputs}.
            - **Ensemble**: {perRound}, added one boosting round at a time; each tree fits the gradient of the loss of the current ensemble, scaled by the learning rate.
            - **Tree growth**: {growth}; {leaves}.
            - **Split finding**: {gain}.
            - **Output**: {output}.
            - **Loss**: {loss}, with L1/L2 penalties on leaf values.
            """;
    }
}
