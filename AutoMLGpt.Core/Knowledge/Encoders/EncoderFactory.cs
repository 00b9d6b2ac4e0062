using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Knowledge.Encoders;

/// <summary>The text encoder, section <c>Encoder</c>.</summary>
public sealed class EncoderOptions
{
    public const string Section = "Encoder";

    /// <summary>An ONNX sentence encoder (USE-lite or BERT-family); empty for the embedded distilled table.</summary>
    public string? ModelPath { get; set; }

    /// <summary>Token limit for BERT-family models.</summary>
    public int MaxTokens { get; set; } = 256;

    /// <summary>The built-in encoder when no model is set: <c>static</c> (distilled USE-lite table) or <c>hashing</c>.</summary>
    public string Builtin { get; set; } = "static";
}

/// <summary>
/// Chooses the encoder: the ONNX model when configured and loadable, else the embedded distilled table, else the
/// hashing encoder; every fallback is logged and carried as a notice for the settings page.
/// </summary>
public static class EncoderFactory
{
    public static TextEncoder Create(EncoderOptions options, ILogger logger)
    {
        string? notice = null;
        if (!string.IsNullOrWhiteSpace(options.ModelPath))
        {
            try
            {
                var onnx = new OnnxSentenceEncoder(options.ModelPath, options.MaxTokens);
                logger.LogInformation("Text encoder: {Description}, execution provider {Provider}", onnx.Info.Description, onnx.Info.ExecutionProvider);
                return onnx;
            }
            catch (Exception ex) when (ex is IOException or NotSupportedException or InvalidDataException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                notice = $"The model at Encoder:ModelPath could not be used ({ex.Message}); using the built-in encoder instead.";
                logger.LogWarning("{Notice}", notice);
            }
        }
        if (!string.Equals(options.Builtin, "hashing", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var table = StaticTableEncoder.LoadEmbedded();
                logger.LogInformation("Text encoder: {Description}", table.Info.Description);
                return notice is null ? table : new NoticeEncoder(table, notice);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                notice = $"{notice} The embedded table could not be loaded ({ex.Message}); using the hashing encoder.".Trim();
                logger.LogWarning("{Notice}", notice);
            }
        }
        var hashing = new HashingEncoder();
        return notice is null ? hashing : new NoticeEncoder(hashing, notice);
    }

    /// <summary>Carries why a fallback is in use, so the UI can say it.</summary>
    private sealed class NoticeEncoder(TextEncoder inner, string notice) : TextEncoder
    {
        public override EncoderInfo Info { get; } = inner.Info with { Notice = notice };
        public override float[][] Encode(IReadOnlyList<string> texts) => inner.Encode(texts);
        public override void Dispose() { inner.Dispose(); base.Dispose(); }
    }
}
