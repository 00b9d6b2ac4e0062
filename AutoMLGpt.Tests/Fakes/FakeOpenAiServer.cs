using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>How a scripted reply ends.</summary>
public enum FakeEnding { Normal, ResetAfterChunks, CloseWithoutFinish, StallAfterChunks }

/// <summary>One scripted answer of the fake server.</summary>
public sealed record FakeReply
{
    public int Status { get; init; } = 200;
    public string? RetryAfter { get; init; }
    public IReadOnlyList<string> Chunks { get; init; } = [];
    public FakeEnding Ending { get; init; } = FakeEnding.Normal;
    public int ChunksBeforeFault { get; init; } = 3;
    public string FinishReason { get; init; } = "stop";
    public int PromptTokens { get; init; } = 100;
    public int CompletionTokens { get; init; } = 50;
    /// <summary>Pause after each chunk; a slow stream leaves time to kill the app mid-answer.</summary>
    public int ChunkDelayMilliseconds { get; init; } = 5;
    /// <summary>Builds chunk i when it is sent (e.g. stamped with the send time) instead of taking it from <see cref="Chunks"/>.</summary>
    public Func<int, string>? ChunkAt { get; init; }

    public static FakeReply Text(string text, int pieces = 6)
    {
        var size = Math.Max(1, (int)Math.Ceiling(text.Length / (double)pieces));
        return new FakeReply { Chunks = Enumerable.Range(0, (text.Length + size - 1) / size).Select(i => text.Substring(i * size, Math.Min(size, text.Length - i * size))).ToList() };
    }

    public static FakeReply Error(int status, string? retryAfter = null) => new() { Status = status, RetryAfter = retryAfter };
}

/// <summary>A request the fake server received.</summary>
public sealed record FakeRequest(DateTime ReceivedUtc, string? Authorization, JsonNode Body)
{
    public string LastUserMessage => Body["messages"]!.AsArray().Last(m => (string?)m!["role"] == "user")!["content"]!.ToString();
    public string AllText => Body.ToJsonString();
    public bool WantsJson => Body["response_format"] is not null;
}

/// <summary>
/// An OpenAI-compatible server on a real loopback socket: <c>POST /v1/chat/completions</c> answering with server-sent
/// events in OpenAI's chunk format (role chunk, content chunks, finish chunk, usage chunk, <c>[DONE]</c>), or JSON when
/// not streaming. Replies come from a script queue; when it is empty, a plausible default for the stage asked.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _script = new();

    public ConcurrentQueue<FakeRequest> Requests { get; } = new();
    public string BaseUrl { get; }
    public string Endpoint => BaseUrl + "/v1";
    public int AbortedStreams;
    /// <summary>Content chunks written to clients so far, over all requests.</summary>
    public int ChunksSent;

    private FakeOpenAiServer(WebApplication app, string baseUrl) { _app = app; BaseUrl = baseUrl; }

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeOpenAiServer? server = null;
        app.MapPost("/v1/chat/completions", (HttpContext http) => server!.HandleAsync(http));
        await app.StartAsync();
        server = new FakeOpenAiServer(app, app.Urls.First());
        return server;
    }

    public void Enqueue(params FakeReply[] replies) { foreach (var r in replies) _script.Enqueue(r); }

    /// <summary>Answers requests that have no scripted reply; <see cref="Default"/> when null.</summary>
    public Func<FakeRequest, FakeReply>? Responder { get; set; }

    private async Task HandleAsync(HttpContext http)
    {
        var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync())!;
        var request = new FakeRequest(DateTime.UtcNow, http.Request.Headers.Authorization.ToString(), body);
        Requests.Enqueue(request);
        var reply = _script.TryDequeue(out var scripted) ? scripted : (Responder ?? Default)(request);
        if (reply.Status != 200)
        {
            http.Response.StatusCode = reply.Status;
            if (reply.RetryAfter is not null) http.Response.Headers.RetryAfter = reply.RetryAfter;
            await http.Response.WriteAsJsonAsync(new { error = new { message = $"scripted {reply.Status}", type = "server_error" } });
            return;
        }
        if (body["stream"]?.GetValue<bool>() != true)
        {
            await http.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-fake", @object = "chat.completion", created = 1_700_000_000, model = (string?)body["model"],
                choices = new[] { new { index = 0, message = new { role = "assistant", content = string.Concat(reply.Chunks) }, finish_reason = reply.FinishReason } },
                usage = new { prompt_tokens = reply.PromptTokens, completion_tokens = reply.CompletionTokens, total_tokens = reply.PromptTokens + reply.CompletionTokens },
            });
            return;
        }

        http.Response.ContentType = "text/event-stream";
        var model = (string?)body["model"] ?? "fake";
        var ct = http.RequestAborted;
        try
        {
            await Event(http, Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null), ct);
            for (var i = 0; i < reply.Chunks.Count; i++)
            {
                if (i == reply.ChunksBeforeFault)
                {
                    switch (reply.Ending)
                    {
                        case FakeEnding.ResetAfterChunks: http.Abort(); return;
                        case FakeEnding.CloseWithoutFinish: return;
                        case FakeEnding.StallAfterChunks: await Task.Delay(Timeout.Infinite, ct); return;
                    }
                }
                await Event(http, Chunk(model, new JsonObject { ["content"] = reply.ChunkAt?.Invoke(i) ?? reply.Chunks[i] }, null), ct);
                Interlocked.Increment(ref ChunksSent);
                await Task.Delay(reply.ChunkDelayMilliseconds, ct);
            }
            if (reply.Ending == FakeEnding.CloseWithoutFinish) return;
            if (reply.Ending == FakeEnding.StallAfterChunks) { await Task.Delay(Timeout.Infinite, ct); return; }
            if (reply.Ending == FakeEnding.ResetAfterChunks) { http.Abort(); return; }
            await Event(http, Chunk(model, new JsonObject(), reply.FinishReason), ct);
            await Event(http, new JsonObject
            {
                ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model, ["choices"] = new JsonArray(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = reply.PromptTokens, ["completion_tokens"] = reply.CompletionTokens, ["total_tokens"] = reply.PromptTokens + reply.CompletionTokens },
            }.ToJsonString(), ct);
            await http.Response.WriteAsync("data: [DONE]\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref AbortedStreams); // the client went away mid-stream
        }
    }

    private static string Chunk(string model, JsonObject delta, string? finish) => new JsonObject
    {
        ["id"] = "chatcmpl-fake", ["object"] = "chat.completion.chunk", ["created"] = 1_700_000_000, ["model"] = model,
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
    }.ToJsonString();

    private static async Task Event(HttpContext http, string json, CancellationToken ct)
    {
        await http.Response.WriteAsync($"data: {json}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }

    public const string DefaultHyperparameterJson = """
        {"hyperparameters":[
          {"name":"learning_rate","value":0.05,"type":"float","range":"0.01 – 0.3","rationale":"shrinkage with early stopping"},
          {"name":"max_depth","value":6,"type":"int","range":"3 – 10","rationale":"library default"},
          {"name":"n_estimators","value":800,"type":"int","range":"100 – 2000","rationale":"upper bound, early stopping picks"}],
         "notes":["Lower learning rate trades time for accuracy."]}
        """;

    /// <summary>A plausible answer for whatever stage or chat the request is.</summary>
    public static FakeReply Default(FakeRequest request)
    {
        var text = request.LastUserMessage;
        if (request.WantsJson) return FakeReply.Text(DefaultHyperparameterJson);
        if (text.Contains("Stage A")) return FakeReply.Text("```python\nimport pandas as pd\n\ndf = pd.read_csv('adult.csv')\nprint(df.shape)\n```\n");
        if (text.Contains("Stage B")) return FakeReply.Text("- **Input**: 14 columns\n- **Ensemble**: gradient-boosted trees\n- **Loss**: log loss\n");
        if (text.Contains("Stage D")) return FakeReply.Text("[0] validation-logloss:0.52\n[100] validation-logloss:0.29\nPREDICTION: final accuracy ≈ 87.0% (likely range 86.5–87.5%)\nBasis: published XGBoost results on Adult; nothing was trained.\n");
        if (text.Contains("<follow_up>")) return FakeReply.Text("I will lower max_depth to 4 for faster inference; expect a small accuracy cost.");
        return FakeReply.Text("OK");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
