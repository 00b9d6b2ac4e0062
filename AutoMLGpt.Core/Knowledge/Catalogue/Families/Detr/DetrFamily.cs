using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// Detr: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
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
        TrainTemplate = "Families/Detr/train.py", Requirements = ["torch>=1.13", "torchvision>=0.14", "scipy>=1.10", "pycocotools>=2.0", "pillow>=9"],
        MixedPrecisionOnGpu = false, TakesCardResolution = false,
        AdaptToDataSize = a =>
        {
            if (a.Samples < 50_000)
            {
                a.Recipe.Adjust("epochs", 50, $"{a.Rows}: fine-tune from the COCO checkpoint");
                a.Recipe.Adjust("lr_drop_epoch", 35, "lr × 0.1 at 70% of training");
                a.Epochs = 50;
            }
            else a.TradeOffs.Add("DETR converges slowly: the 300-epoch schedule (drop at 200) costs about 1.5 AP against 500 epochs for 40% less time (Carion et al. 2020).");
        },
    };
}
