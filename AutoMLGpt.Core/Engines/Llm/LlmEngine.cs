using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Pipeline;
using Microsoft.Extensions.AI;

namespace AutoMLGpt.Core.Engines.Llm;

/// <summary>
/// The four stages and chat replies on a language model behind <see cref="IChatClient"/>: each stage is one streaming
/// call carrying the prompt paragraph, the stage's instructions and the earlier outputs; stage C asks for typed JSON.
/// </summary>
public sealed partial class LlmEngine(IChatClient client, LlmOptions options, KnowledgeBase? knowledge = null, Secrets? secrets = null) : IExperimentEngine
{
    public string Name => $"LLM {options.Model}";
    public bool IsOffline => false;
    public string? FollowUp { get; private init; }

    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["engine"] = Name,
        ["provider"] = options.Provider,
        ["model"] = options.Model ?? "",
        ["endpoint"] = options.EndpointForDisplay,
        ["temperature"] = options.Temperature.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["seed"] = options.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none",
        ["max_output_tokens_per_stage"] = options.MaxOutputTokensPerStage.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly Secrets _secrets = secrets ?? Secrets.Of(options);

    internal KnowledgeBase? Knowledge => knowledge;

    public IExperimentEngine WithFollowUp(string? followUp) => new LlmEngine(client, options, knowledge) { FollowUp = followUp };

    public IPipelineStage Stage(StageKind kind) => new LlmStage(kind, this);

    private ChatOptions Options(bool json) => new()
    {
        ModelId = options.Model,
        MaxOutputTokens = options.MaxOutputTokensPerStage,
        Temperature = options.Temperature,
        Seed = options.Seed,
        ResponseFormat = json ? ChatResponseFormat.ForJsonSchema(HyperparameterAnswer.Schema, "hyperparameter_table", "Stage C hyperparameter table") : null,
    };

    /// <summary>The outcome of one streamed call.</summary>
    private sealed class Streamed
    {
        public StringBuilder Text { get; } = new();
        public ChatFinishReason? FinishReason { get; set; }
        public TokenUsage? Usage { get; set; }
        public string? Error { get; set; }
    }

    /// <summary>
    /// Streams one call, yielding redacted text; never throws for backend faults (they end up in <paramref name="result"/>),
    /// only for cancellation by the caller.
    /// </summary>
    private async IAsyncEnumerable<string> StreamAsync(List<ChatMessage> messages, bool json, Streamed result, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var redactor = _secrets.ForStream();
        IAsyncEnumerator<ChatResponseUpdate>? updates = null;
        try
        {
            updates = client.GetStreamingResponseAsync(messages, Options(json), cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync()) break;
                    update = updates.Current;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    result.Error = Describe(ex, result.Text.Length > 0);
                    break;
                }
                result.FinishReason ??= update.FinishReason;
                foreach (var usage in update.Contents.OfType<UsageContent>())
                    result.Usage = new TokenUsage(usage.Details.InputTokenCount ?? 0, usage.Details.OutputTokenCount ?? 0);
                if (string.IsNullOrEmpty(update.Text)) continue;
                var safe = redactor.Push(update.Text);
                var room = MaxCharsPerStage - result.Text.Length;
                if (safe.Length > room)
                {
                    // A server that ignores the token cap (or streams forever) is cut off here; memory stays bounded.
                    safe = safe[..Math.Max(0, room)];
                    result.Text.Append(safe);
                    if (safe.Length > 0) yield return safe;
                    result.Error = $"The answer passed {MaxCharsPerStage:N0} characters, more than Llm:MaxOutputTokensPerStage ({options.MaxOutputTokensPerStage:N0} tokens) allows; the server ignored the cap. The text so far is kept.";
                    yield break; // disposing the stream aborts the request
                }
                result.Text.Append(safe);
                if (safe.Length > 0) yield return safe;
            }
            var tail = redactor.Flush();
            result.Text.Append(tail);
            if (tail.Length > 0) yield return tail;
        }
        finally
        {
            if (updates is not null) await updates.DisposeAsync();
        }
    }

    /// <summary>The most text kept from one answer: eight characters per allowed token is far above any real tokeniser.</summary>
    private int MaxCharsPerStage => options.MaxOutputTokensPerStage * 8;

    /// <summary>A fault in words that say what to do next. Details the backend wrapper already phrased pass through.</summary>
    private string Describe(Exception ex, bool started)
    {
        var prefix = started ? "The stream broke off" : "The language model could not be reached";
        return ex switch
        {
            LlmException llm => llm.Message,
            OperationCanceledException or TimeoutException => $"{prefix}: no data for {options.TimeoutSeconds} s (Llm:TimeoutSeconds). Check that the server at {options.EndpointForDisplay} is running, then retry.",
            IOException or System.Net.Http.HttpRequestException => $"{prefix}: the connection to {options.EndpointForDisplay} failed ({_secrets.Redact(ex.Message)}). Retry, or check Llm:Endpoint.",
            _ => $"{prefix}: {_secrets.Redact(ex.Message)}",
        };
    }

    /// <summary>Why a stream that ended without an exception is not a success, or null when it is one.</summary>
    private string? Incomplete(Streamed s) => s.FinishReason switch
    {
        null => "The stream ended without a finish reason (the server closed it early). The partial text is kept; retry to start a new attempt.",
        var r when r == ChatFinishReason.Length => $"The answer hit the output cap of {options.MaxOutputTokensPerStage} tokens (Llm:MaxOutputTokensPerStage) and is cut off. Raise the cap or ask for less, then retry.",
        var r when r == ChatFinishReason.ContentFilter => "The server's content filter stopped the answer.",
        _ => null,
    };

    public async IAsyncEnumerable<string> ReplyAsync(FollowUpContext context, FollowUpResult result, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var messages = StagePrompts.BuildChat(context.Cards, context.PromptParagraph, context.Stages, context.Message, context.EarlierFollowUps);
        var streamed = new Streamed();
        await foreach (var text in StreamAsync(messages, json: false, streamed, cancellationToken)) yield return text;
        result.Usage = streamed.Usage;
        result.Error = streamed.Error ?? Incomplete(streamed);
        result.Interrupted = result.Error is not null && streamed.Text.Length > 0;
        result.Revise = result.Error is null;
        result.Rerun = TouchesData().IsMatch(context.Message)
            ? StageNames.InOrder
            : [StageKind.ModelArchitecture, StageKind.Hyperparameters, StageKind.TrainingLog];
    }

    // Follow-ups about the data itself also regenerate stage A.
    [GeneratedRegex(@"augment|preprocess|pre-process|resolution|image size|sequence length|max_seq|tokeni[sz]|column|feature|missing|split|normali[sz]", RegexOptions.IgnoreCase)]
    private static partial Regex TouchesData();

    private sealed class LlmStage(StageKind kind, LlmEngine engine) : IPipelineStage
    {
        public StageKind Kind => kind;

        public async IAsyncEnumerable<StageUpdate> RunAsync(StageContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var json = kind == StageKind.Hyperparameters;
            var messages = StagePrompts.Build(kind, context, engine.FollowUp);
            // Tabular stages C and D get the similar past datasets and their transferred values as context.
            if (kind is StageKind.Hyperparameters or StageKind.TrainingLog && context.Cards.Data.Modality == Cards.DataModality.Tabular
                && engine.Knowledge?.Recommend(context.Cards.Data, KnowledgePackBuilder.Family) is { } rec)
            {
                var choice = engine.Knowledge.Portfolio?.ChooseZeroShot(context.Cards.Data);
                var forecast = choice is null ? null : engine.Knowledge.Forecaster?.FromCard(context.Cards.Data, choice);
                messages[^1] = new ChatMessage(ChatRole.User, StagePrompts.WithSimilarDatasets(messages[^1].Text, rec, choice, forecast));
            }
            var s = new Streamed();
            await foreach (var text in engine.StreamAsync(messages, json, s, cancellationToken))
                yield return StageUpdate.Delta(kind, text);

            var raw = s.Text.ToString();
            if (s.Error is { } error)
            {
                yield return raw.Length > 0 ? StageUpdate.Interrupted(kind, error) : StageUpdate.Failed(kind, error);
                yield break;
            }
            if (engine.Incomplete(s) is { } why)
            {
                yield return s.FinishReason == ChatFinishReason.ContentFilter ? StageUpdate.Failed(kind, why) : StageUpdate.Interrupted(kind, why);
                yield break;
            }
            if (!json)
            {
                yield return StageUpdate.Completed(new StageOutput(kind, kind == StageKind.DataProcessing ? CodeOf(raw) : raw.Trim(), Usage: s.Usage));
                yield break;
            }

            if (HyperparameterAnswer.TryParse(raw, out var rows, out var notes, out var problem))
            {
                yield return StageUpdate.Completed(new StageOutput(kind, HyperparameterAnswer.ToMarkdown(rows, notes), rows, Usage: s.Usage));
                yield break;
            }
            // One repair attempt: show the model its answer and what is wrong with it.
            messages.Add(new ChatMessage(ChatRole.Assistant, raw));
            messages.Add(new ChatMessage(ChatRole.User, $"That answer is not usable: {problem}. Reply again with only the JSON object matching the schema."));
            var repair = new Streamed();
            await foreach (var _ in engine.StreamAsync(messages, json, repair, cancellationToken)) { }
            var usage = Sum(s.Usage, repair.Usage);
            var repaired = repair.Text.ToString();
            var second = repair.Error ?? "";
            if (repair.Error is null && HyperparameterAnswer.TryParse(repaired, out rows, out notes, out second))
            {
                yield return StageUpdate.Completed(new StageOutput(kind, HyperparameterAnswer.ToMarkdown(rows, notes), rows, Usage: usage));
                yield break;
            }
            var kept = $"{raw}\n\n--- repair attempt ---\n{repaired}";
            yield return StageUpdate.Failed(kind,
                $"The model's hyperparameter table was invalid ({problem}) and the repair attempt failed too ({second}). Its raw answers are kept below; retry, or try another model.",
                new StageOutput(kind, kept, Usage: usage));
        }

        private static TokenUsage? Sum(TokenUsage? a, TokenUsage? b) => a is null ? b : b is null ? a : a + b;

        // The script is the first fenced code block when the model used one.
        private static string CodeOf(string text)
        {
            var m = Regex.Match(text, @"```[a-zA-Z0-9_+-]*\s*\n(?<code>[\s\S]*?)```");
            return m.Success ? m.Groups["code"].Value.TrimEnd() + "\n" : text.Trim() + "\n";
        }
    }
}
