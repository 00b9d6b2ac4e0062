namespace AutoMLGpt.Core.Engines.Llm;

/// <summary>
/// The language-model backend, section <c>Llm</c>. With <see cref="Provider"/> <c>Offline</c> (the default) no model is
/// called. The API key comes from user secrets or environment variables (<c>Llm__ApiKey</c>), never from appsettings.json.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary><c>Offline</c> or <c>OpenAI</c> (any OpenAI-compatible server: OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio).</summary>
    public string Provider { get; set; } = "Offline";

    /// <summary>Model or deployment name, e.g. <c>gpt-4o-mini</c> or <c>llama3.1:8b</c>.</summary>
    public string? Model { get; set; }

    /// <summary>Base URL ending in <c>/v1</c>, e.g. <c>http://127.0.0.1:11434/v1</c>; empty for api.openai.com.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Never shown, logged or saved. Local servers that need none accept any non-empty value.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Network timeout per request and per idle read while streaming.</summary>
    public int TimeoutSeconds { get; set; } = 100;

    /// <summary>Retries on 408, 429, 5xx and connection errors before the response starts.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Longest wait honoured from a server's Retry-After header.</summary>
    public int MaxRetryAfterSeconds { get; set; } = 20;

    /// <summary>Cap on output tokens per stage and per chat reply.</summary>
    public int MaxOutputTokensPerStage { get; set; } = 4096;

    public float Temperature { get; set; } = 0.2f;

    /// <summary>Sent to servers that support it, for more repeatable answers.</summary>
    public long? Seed { get; set; } = 42;

    public bool IsOffline => string.Equals(Provider?.Trim(), "Offline", StringComparison.OrdinalIgnoreCase);

    /// <summary>Problems with the settings, each naming its key; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (IsOffline) return problems;
        if (!string.Equals(Provider?.Trim(), "OpenAI", StringComparison.OrdinalIgnoreCase))
            problems.Add($"Llm:Provider is \"{Provider}\"; use Offline or OpenAI.");
        if (string.IsNullOrWhiteSpace(Model)) problems.Add("Llm:Model is required when Llm:Provider is OpenAI (e.g. gpt-4o-mini).");
        if (string.IsNullOrWhiteSpace(ApiKey)) problems.Add("Llm:ApiKey is required when Llm:Provider is OpenAI; set it with user secrets or the Llm__ApiKey environment variable (any value for local servers).");
        if (!string.IsNullOrWhiteSpace(Endpoint) && (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            problems.Add($"Llm:Endpoint \"{Endpoint}\" is not an http(s) URL; it should look like http://127.0.0.1:11434/v1.");
        if (TimeoutSeconds is < 1 or > 3600) problems.Add("Llm:TimeoutSeconds must be between 1 and 3600.");
        if (MaxRetries is < 0 or > 10) problems.Add("Llm:MaxRetries must be between 0 and 10.");
        if (MaxOutputTokensPerStage is < 64 or > 200_000) problems.Add("Llm:MaxOutputTokensPerStage must be between 64 and 200000.");
        return problems;
    }

    /// <summary>The endpoint as users should see it: host and path, never credentials or query.</summary>
    public string EndpointForDisplay =>
        string.IsNullOrWhiteSpace(Endpoint) ? "api.openai.com (default)"
        : Uri.TryCreate(Endpoint, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Host}{(u.IsDefaultPort ? "" : ":" + u.Port)}{u.AbsolutePath}" : "(invalid)";
}

/// <summary>A failure of the language-model backend, with a message that says what to do next.</summary>
public sealed class LlmException(string message, Exception? inner = null, bool streamStarted = false) : Exception(message, inner)
{
    /// <summary>True when some output had already arrived: the stage is then interrupted rather than failed.</summary>
    public bool StreamStarted { get; } = streamStarted;
}
