using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

// UNet: its sources, defaults, recipe and rules; its train.py is the .py file beside this one.
public static partial class ModelCatalogue
{
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
        TrainTemplate = "Families/UNet/train.py", Requirements = ["torch>=1.13", "numpy>=1.24", "pillow>=9"],
    };
}
