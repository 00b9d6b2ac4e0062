using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace AutoMLGpt.Core.Knowledge.Encoders;

/// <summary>What the settings page and the benchmark say about an encoder.</summary>
public sealed record EncoderInfo(string Id, string Description, int Dimensions, string ExecutionProvider, string? Notice = null);

/// <summary>
/// A text encoder behind the standard <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>: subclasses turn a batch of
/// texts into L2-normalised vectors, so cosine similarity is a dot product.
/// </summary>
public abstract class TextEncoder : IEmbeddingGenerator<string, Embedding<float>>
{
    public abstract EncoderInfo Info { get; }

    /// <summary>Encodes a batch; each vector has unit length (or is all zeros for text with no known tokens).</summary>
    public abstract float[][] Encode(IReadOnlyList<string> texts);

    public float[] Encode(string text) => Encode([text])[0];

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var vectors = Encode(values.ToList());
        return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = Info.Id })));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata(Info.Id, null, Info.Id, Info.Dimensions)
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(EncoderInfo) ? Info : null;

    public virtual void Dispose() => GC.SuppressFinalize(this);

    public static void Normalize(Span<float> v)
    {
        var norm = TensorPrimitives.Norm(v);
        if (norm > 0) TensorPrimitives.Divide(v, norm, v);
    }
}
