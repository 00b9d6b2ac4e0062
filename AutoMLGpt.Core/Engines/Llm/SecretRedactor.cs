namespace AutoMLGpt.Core.Engines.Llm;

/// <summary>
/// Removes configured secrets from text before it is shown or saved, e.g. a model reply that echoes the API key.
/// Works on a stream: a secret split across two chunks is still caught, by holding back a tail shorter than the secret.
/// </summary>
public sealed class SecretRedactor(IEnumerable<string?> secrets)
{
    public const string Replacement = "[redacted]";
    private readonly string[] _secrets = secrets.Where(s => !string.IsNullOrEmpty(s) && s.Length >= 6).Select(s => s!).Distinct().ToArray();
    private string _pending = "";

    public string Redact(string text)
    {
        foreach (var s in _secrets) text = text.Replace(s, Replacement, StringComparison.Ordinal);
        return text;
    }

    /// <summary>Feeds one streamed chunk; returns what is safe to emit now.</summary>
    public string Push(string chunk)
    {
        if (_secrets.Length == 0) return chunk;
        var text = Redact(_pending + chunk);
        var hold = Math.Min(text.Length, _secrets.Max(s => s.Length) - 1);
        // Hold back only a tail that could be the start of a secret.
        while (hold > 0 && !_secrets.Any(s => s.StartsWith(text[^hold..], StringComparison.Ordinal))) hold--;
        _pending = text[^hold..];
        return text[..^hold];
    }

    /// <summary>The held-back tail at the end of the stream.</summary>
    public string Flush()
    {
        var rest = Redact(_pending);
        _pending = "";
        return rest;
    }
}

/// <summary>
/// The app's secrets (the language model's API key), registered once: one-shot redaction, and a fresh
/// <see cref="SecretRedactor"/> per stream (it holds back a tail, so it cannot be shared).
/// </summary>
public sealed class Secrets(IEnumerable<string?> values)
{
    private readonly string?[] _values = values.ToArray();

    public static Secrets Of(LlmOptions llm) => new([llm.ApiKey]);

    public string Redact(string text) => new SecretRedactor(_values).Redact(text);

    public SecretRedactor ForStream() => new(_values);
}
