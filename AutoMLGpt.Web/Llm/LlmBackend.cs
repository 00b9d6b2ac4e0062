using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using AutoMLGpt.Core.Engines.Llm;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace AutoMLGpt.Web.Llm;

public static class LlmBackend
{
    /// <summary>
    /// The one place the language model's provider is wired: the <see cref="IChatClient"/> for <c>Llm:Provider=OpenAI</c>
    /// (the official OpenAI SDK against OpenAI or any compatible endpoint, with an explicit retry policy and timeout,
    /// errors turned into messages that say what to do). Core reads and validates the <c>Llm</c> section and calls this
    /// only when a model is configured.
    /// </summary>
    public static void AddLlm(IServiceCollection services, LlmOptions llm) =>
        services.AddChatClient(_ => CreateClient(llm))
            .Use((inner, sp) => new FriendlyErrorsChatClient(inner, llm, sp.GetRequiredService<Secrets>()))
            .UseLogging();

    public static IChatClient CreateClient(LlmOptions llm)
    {
        var options = new OpenAIClientOptions
        {
            // The SDK's default policy retries with no backoff (System.ClientModel 1.16); always set ours.
            RetryPolicy = new BackoffRetryPolicy(llm.MaxRetries, TimeSpan.FromSeconds(llm.MaxRetryAfterSeconds)),
            NetworkTimeout = TimeSpan.FromSeconds(llm.TimeoutSeconds),
        };
        if (!string.IsNullOrWhiteSpace(llm.Endpoint)) options.Endpoint = new Uri(llm.Endpoint);
        return new ChatClient(llm.Model, new ApiKeyCredential(llm.ApiKey!), options).AsIChatClient();
    }
}

/// <summary>
/// Retries 408, 429, 5xx and connection failures with exponential backoff (0.5 s, 1 s, 2 s … with jitter), honouring
/// Retry-After up to a cap so one server hint cannot stall a stage for minutes.
/// </summary>
public sealed class BackoffRetryPolicy(int maxRetries, TimeSpan maxRetryAfter) : ClientRetryPolicy(maxRetries)
{
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How long the response's Retry-After asks to wait, when it says.</summary>
    public static TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response?.Headers.TryGetValue("Retry-After", out var header) != true || header is null) return null;
        if (double.TryParse(header, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(Math.Max(0, seconds));
        if (DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at > DateTimeOffset.UtcNow ? at - DateTimeOffset.UtcNow : TimeSpan.Zero;
        return null;
    }

    // A server that asks for a longer wait than the cap would refuse an earlier retry too: fail now and say so.
    protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
        RetryAfter(message.Response) is not { } wait || wait <= maxRetryAfter ? base.ShouldRetry(message, exception) : false;

    protected override ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
        RetryAfter(message.Response) is not { } wait || wait <= maxRetryAfter ? base.ShouldRetryAsync(message, exception) : ValueTask.FromResult(false);

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount)
    {
        if (message.Response?.Headers.TryGetValue("Retry-After", out var header) == true && header is not null)
        {
            if (double.TryParse(header, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
                return TimeSpan.FromSeconds(Math.Clamp(seconds, 0, maxRetryAfter.TotalSeconds));
            if (DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
                return TimeSpan.FromTicks(Math.Clamp((at - DateTimeOffset.UtcNow).Ticks, 0, maxRetryAfter.Ticks));
        }
        var exponential = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, tryCount - 1));
        var jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
        return TimeSpan.FromMilliseconds(Math.Min(exponential * jitter, maxRetryAfter.TotalMilliseconds));
    }
}

/// <summary>Turns SDK exceptions into <see cref="LlmException"/>s whose messages name the setting to check; never the key.</summary>
public sealed class FriendlyErrorsChatClient(IChatClient inner, LlmOptions llm, Secrets secrets) : DelegatingChatClient(inner)
{

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try { return await base.GetResponseAsync(messages, options, cancellationToken); }
        catch (ClientResultException ex) { throw Translate(ex, started: false); }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var started = false;
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync()) yield break;
            }
            catch (ClientResultException ex) { throw Translate(ex, started); }
            started = true;
            yield return updates.Current;
        }
    }

    private LlmException Translate(ClientResultException ex, bool started)
    {
        var model = llm.Model;
        var where = llm.EndpointForDisplay;
        var message = ex.Status switch
        {
            401 or 403 => $"The server at {where} rejected the API key (HTTP {ex.Status}). Check Llm:ApiKey.",
            404 => $"Model \"{model}\" or the endpoint was not found at {where} (HTTP 404). Check Llm:Model, and that Llm:Endpoint ends in /v1.",
            408 or 429 or 503 when BackoffRetryPolicy.RetryAfter(ex.GetRawResponse()) is { } wait && wait.TotalSeconds > llm.MaxRetryAfterSeconds =>
                $"The server at {where} is rate limiting (HTTP {ex.Status}) and asks to wait {wait.TotalSeconds:0} s, longer than Llm:MaxRetryAfterSeconds ({llm.MaxRetryAfterSeconds} s). Retry after that.",
            408 or 429 => $"The server at {where} kept refusing with HTTP {ex.Status} (rate limit or timeout) after {llm.MaxRetries} retries. Wait a minute, then retry.",
            >= 500 => $"The server at {where} failed with HTTP {ex.Status} after {llm.MaxRetries} retries. Retry later, or check the server's log.",
            0 => $"No answer from {where}: {secrets.Redact(ex.Message)}. Check that the server is running and Llm:Endpoint is right.",
            _ => $"The server at {where} refused the request (HTTP {ex.Status}): {secrets.Redact(Shorten(ex.Message))}",
        };
        return new LlmException(message, null, started);
    }

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
}

/// <summary>The settings page's "test connection": one tiny request, timed. Offline, there is no model to test.</summary>
public sealed class LlmConnectionTester(LlmOptions llm, Secrets secrets, IChatClient? client = null)
{
    public bool CanTest => client is not null;

    public async Task<(bool Ok, string Message)> TestAsync(CancellationToken cancellationToken)
    {
        if (client is null) return (false, "No language model is configured (Llm:Provider is Offline); the offline engine needs no connection.");
        var watch = Stopwatch.StartNew();
        try
        {
            var response = await client.GetResponseAsync("Reply with the single word OK.", new ChatOptions { MaxOutputTokens = 16, ModelId = llm.Model }, cancellationToken);
            var reply = secrets.Redact(response.Text.Trim());
            return (true, $"Connected to {llm.EndpointForDisplay} in {watch.ElapsedMilliseconds} ms; {llm.Model} replied \"{(reply.Length > 60 ? reply[..60] + "…" : reply)}\".");
        }
        catch (LlmException ex) { return (false, ex.Message); }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            return (false, $"No answer from {llm.EndpointForDisplay} within {llm.TimeoutSeconds} s (Llm:TimeoutSeconds).");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (false, $"Could not connect to {llm.EndpointForDisplay}: {secrets.Redact(ex.Message)}");
        }
    }
}
