using System.Runtime.CompilerServices;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>
/// An engine whose stages stream scripted chunks, record what they saw, and can fail, throw or block on demand.
/// </summary>
public sealed class ScriptedEngine : IExperimentEngine
{
    public string Name => "scripted";
    public bool IsOffline => false;

    /// <summary>Chunks each stage streams; by default three chunks naming the stage.</summary>
    public Func<StageKind, IReadOnlyList<string>> Chunks { get; init; } = s => [$"{s} part 1\n", $"{s} part 2\n", $"{s} end"];

    public StageKind? FailAt { get; init; }
    public StageKind? ThrowAt { get; init; }

    /// <summary>This stage streams its first chunk, then waits until cancelled.</summary>
    public StageKind? BlockAt { get; init; }

    public TaskCompletionSource BlockReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public List<(StageKind Stage, IReadOnlyCollection<StageKind> Earlier)> Seen { get; } = [];

    public IPipelineStage Stage(StageKind kind) => new Scripted(kind, this);

    public string? FollowUp { get; init; }

    public IExperimentEngine WithFollowUp(string? followUp) => new ScriptedEngine
    {
        Chunks = Chunks, FailAt = FailAt, ThrowAt = ThrowAt, BlockAt = BlockAt, FollowUp = followUp,
    };

    /// <summary>The chat reply's chunks; by default one, "ok: " and the message.</summary>
    public IReadOnlyList<string>? ReplyChunks { get; init; }

    /// <summary>Called before each reply chunk with its index (e.g. to move a fake clock on).</summary>
    public Action<int>? BeforeReplyChunk { get; init; }

    public async IAsyncEnumerable<string> ReplyAsync(FollowUpContext context, FollowUpResult result, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        result.Revise = true;
        var chunks = ReplyChunks ?? [$"ok: {context.Message}"];
        for (var i = 0; i < chunks.Count; i++)
        {
            BeforeReplyChunk?.Invoke(i);
            yield return chunks[i];
        }
    }

    private sealed class Scripted(StageKind kind, ScriptedEngine engine) : IPipelineStage
    {
        public StageKind Kind => kind;

        public async IAsyncEnumerable<StageUpdate> RunAsync(StageContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            lock (engine.Seen) engine.Seen.Add((kind, context.Earlier.Keys.ToList()));
            var chunks = engine.Chunks(kind);
            for (var i = 0; i < chunks.Count; i++)
            {
                if (engine.ThrowAt == kind && i == 1) throw new IOException("connection reset by peer");
                yield return StageUpdate.Delta(kind, chunks[i]);
                await Task.Yield();
                if (engine.BlockAt == kind)
                {
                    engine.BlockReached.TrySetResult();
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            }
            if (engine.FailAt == kind) { yield return StageUpdate.Failed(kind, "scripted failure"); yield break; }
            yield return StageUpdate.Completed(new StageOutput(kind, string.Concat(chunks)));
        }
    }
}
