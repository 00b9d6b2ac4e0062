using System.Numerics.Tensors;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class EncoderTests
{
    private static readonly string UseLite = Path.Combine(SharedData.Models, "use-lite-en", "model.onnx");
    private static readonly string TinyBert = Path.Combine(SharedData.Models, "tiny-bert-test", "model.onnx");

    private const string Census = "Census income: predict whether a person earns more than 50K a year from age, education, occupation and hours worked.";
    private const string Bank = "Bank marketing: predict whether a client subscribes to a term deposit after a phone campaign, from age, job and balance.";
    private const string Flowers = "Photographs of 102 species of flowers to classify by species from the petals' colour and shape.";

    private static float Cos(float[] a, float[] b) => TensorPrimitives.Dot(a, b);

    [Fact]
    public void TheUseLiteProfileTokenisesLikeTheOriginalAndReturnsUnitVectors()
    {
        using var encoder = new OnnxSentenceEncoder(UseLite);
        Assert.StartsWith("USE-lite", encoder.Info.Description);
        Assert.Equal(512, encoder.Info.Dimensions);
        Assert.StartsWith("CPU", encoder.Info.ExecutionProvider);
        var v = encoder.Encode([Census, Bank, Flowers, ""]);
        Assert.Equal(4, v.Length); // the empty text still yields its row
        Assert.All(v, x => Assert.Equal(1f, TensorPrimitives.Norm(x), 3));
        Assert.True(Cos(v[0], v[1]) > Cos(v[0], v[2]), "two tabular prediction cards are closer than a card about flowers");
        // Batched and single runs agree (SOURCE.md: ≤ 4e-8).
        Assert.True(TensorPrimitives.Distance(v[1], encoder.Encode(Bank)) < 1e-5);
    }

    [Fact]
    public void SentencePieceMergesUnknownRunsAndCapsAt128Pieces()
    {
        using var model = File.OpenRead(Path.Combine(SharedData.Models, "use-lite-en", "sentencepiece.model"));
        using var vocab = File.OpenRead(Path.Combine(SharedData.Models, "use-lite-en", "vocab.json"));
        var text = new SentencePieceText(model, vocab);
        Assert.Equal([0], text.Encode(""));
        Assert.Equal(SentencePieceText.MaxPieces, text.Encode(string.Join(' ', Enumerable.Repeat("dataset", 400))).Length);
        var unknown = text.Encode("\u4e00\u4e01\u4e02\u4e03");
        Assert.DoesNotContain(Enumerable.Range(1, unknown.Length - 1), i => unknown[i] == 0 && unknown[i - 1] == 0);
    }

    [Fact]
    public void TheBertProfileLoadsTheTinyModelAndMeanPoolsWithTheMask()
    {
        using var encoder = new OnnxSentenceEncoder(TinyBert, maxTokens: 64);
        Assert.StartsWith("BERT-family", encoder.Info.Description);
        var single = encoder.Encode("income census");
        var batched = encoder.Encode(["income census", "a much longer text about flowers and their petals and colours in spring"]);
        Assert.Equal(16, single.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(single), 3);
        // Padding in a batch must not change a short text's vector: the mask is applied in pooling.
        Assert.True(TensorPrimitives.Distance(single, batched[0]) < 1e-4, "masked mean pooling ignores padding");
        var longText = encoder.Encode(string.Join(' ', Enumerable.Repeat("flowers", 300)));
        Assert.Equal(16, longText.Length); // truncated to 64 tokens instead of failing
    }

    [Fact]
    public void TheEmbeddedTableAgreesWithTheFullModelOnCardSimilarity()
    {
        using var table = StaticTableEncoder.LoadEmbedded();
        using var full = new OnnxSentenceEncoder(UseLite);
        var t = table.Encode([Census, Bank, Flowers]);
        var f = full.Encode([Census, Bank, Flowers]);
        Assert.True(Cos(t[0], t[1]) > Cos(t[0], t[2]));
        Assert.Equal(Cos(f[0], f[1]) > Cos(f[0], f[2]), Cos(t[0], t[1]) > Cos(t[0], t[2]));
        Assert.Equal("use-lite-static", table.Info.Id);
    }

    [Fact]
    public async Task EncodersServeTheStandardEmbeddingGeneratorInterface()
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = new HashingEncoder();
        var embeddings = await generator.GenerateAsync(["census income", "census income data"]);
        Assert.Equal(2, embeddings.Count);
        Assert.Equal(512, embeddings[0].Vector.Length);
        Assert.True(Cos(embeddings[0].Vector.ToArray(), embeddings[1].Vector.ToArray()) > 0.5f);
        Assert.Equal("hashing-512", generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
    }

    [Fact]
    public void AMissingOrUnknownModelFallsBackWithANotice()
    {
        var missing = EncoderFactory.Create(new EncoderOptions { ModelPath = "/nonexistent/model.onnx" }, NullLogger.Instance);
        Assert.Equal("use-lite-static", missing.Info.Id);
        Assert.Contains("could not be used", missing.Info.Notice);

        var folder = Directory.CreateTempSubdirectory("automlgpt-enc-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "model.onnx"), "not an onnx file"u8.ToArray());
            var broken = EncoderFactory.Create(new EncoderOptions { ModelPath = Path.Combine(folder, "model.onnx") }, NullLogger.Instance);
            Assert.Equal("use-lite-static", broken.Info.Id);
            Assert.NotNull(broken.Info.Notice);
        }
        finally { Directory.Delete(folder, true); }

        Assert.Equal("hashing-512", EncoderFactory.Create(new EncoderOptions { Builtin = "hashing" }, NullLogger.Instance).Info.Id);
        Assert.Equal("use-lite-static", EncoderFactory.Create(new EncoderOptions(), NullLogger.Instance).Info.Id);
    }

    [Fact]
    public void TheDistillationCommandBuildsATableFromASliceOfTheVocabulary()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-distill-").FullName;
        try
        {
            var result = StaticTableDistiller.Distill(Path.Combine(SharedData.Models, "use-lite-en"), folder, limit: 300, batch: 128);
            Assert.Equal(294, result.DistilledRows);
            Assert.Equal(8000 * 512, new FileInfo(Path.Combine(folder, "vectors.i8")).Length);
            var encoder = StaticTableEncoder.LoadFolder(folder);
            var scales = File.ReadAllBytes(Path.Combine(folder, "scales.f32"));
            Assert.Equal(0f, BitConverter.ToSingle(scales, 4 * 5)); // reserved rows stay zero
            Assert.NotEqual(0f, BitConverter.ToSingle(scales, 4 * 6));
            Assert.Equal(0f, BitConverter.ToSingle(scales, 4 * 400)); // beyond the slice stays zero
            Assert.Equal(1f, TensorPrimitives.Norm(encoder.Encode("the")), 3);
            Assert.Equal(64, result.Sha256["vectors.i8"].Length);
        }
        finally { Directory.Delete(folder, true); }
    }
}
