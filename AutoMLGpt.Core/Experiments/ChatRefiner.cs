using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Experiments;

/// <summary>Conflict: the experiment changed in another session since the sender opened it; nothing (or only the reply) was saved.</summary>
public enum ChatUpdateKind { ReplyDelta, ReplyDone, RevisionStarted, Stage, Done, Failed, Conflict }

/// <summary>One event of a chat exchange: reply text, the revision it started, that revision's stage updates, the end.</summary>
public sealed record ChatUpdate(ChatUpdateKind Kind, string Text = "", StageUpdate? Stage = null, int? Revision = null);

/// <summary>
/// Chat follow-ups on a saved experiment: the engine's reply streams, and when it revises the experiment a new revision
/// is made (the previous one is kept) with the chosen stages regenerated under all follow-ups so far.
/// </summary>
public sealed class ChatRefiner(ExperimentStore store, ExperimentRunner runner, LiveRuns live, TimeProvider clock, IHostApplicationLifetime? lifetime = null)
{
    public const int MaxMessageLength = 4_000;

    /// <summary>A problem with a chat message, or null when it can be sent.</summary>
    public static string? Validate(string? message)
    {
        if (string.IsNullOrWhiteSpace(message)) return "Write a follow-up first, e.g. \"faster inference\" or \"fit on one 24 GB GPU\".";
        if (message.Length > MaxMessageLength) return $"The message is too long: {message.Length:N0} characters, at most {MaxMessageLength:N0}.";
        if (message.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t') || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'))
            return "The message contains control or text-direction characters; remove them.";
        return null;
    }

    /// <param name="basedOnVersion">
    /// The experiment version the sender is looking at. If another session changed the experiment since, nothing is
    /// saved and a <see cref="ChatUpdateKind.Conflict"/> update says so; null sends regardless ("save as new revision").
    /// </param>
    /// <param name="fromRevision">The revision the follow-up refines (the one on screen); the latest when null.</param>
    public async IAsyncEnumerable<ChatUpdate> SendAsync(Guid experimentId, string message, IExperimentEngine engine, [EnumeratorCancellation] CancellationToken cancellationToken,
        int? basedOnVersion = null, int? fromRevision = null)
    {
        if (Validate(message) is { } invalid) { yield return new ChatUpdate(ChatUpdateKind.Failed, invalid); yield break; }
        var saved = await store.GetAsync(experimentId, fromRevision, cancellationToken: cancellationToken);
        if (saved is null) { yield return new ChatUpdate(ChatUpdateKind.Failed, "This experiment no longer exists."); yield break; }
        if (saved.Status == RunStatus.Running) { yield return new ChatUpdate(ChatUpdateKind.Failed, "The experiment is still running; wait for it to finish, or stop it."); yield break; }
        if (basedOnVersion is { } v && v != saved.Version)
        {
            yield return new ChatUpdate(ChatUpdateKind.Conflict,
                $"This experiment was changed in another session since you opened it (it is now at revision {saved.LatestRevision}).");
            yield break;
        }

        message = message.Trim();
        await store.AddMessageAsync(experimentId, "user", message, RunStatus.Succeeded, cancellationToken);
        var replyId = await store.AddMessageAsync(experimentId, "assistant", "", RunStatus.Running, cancellationToken);
        var earlier = saved.CurrentRevision?.FollowUp;
        var stages = saved.Stages.Where(s => s.Status == RunStatus.Succeeded).ToDictionary(s => s.Stage, s => s.Output);
        var context = new FollowUpContext(saved.Cards, saved.PromptParagraph, stages, message, earlier);
        var result = new FollowUpResult();
        var reply = new StringBuilder();
        var finished = false;
        string? error = null;
        var alive = live.Message(replyId);
        var lastCheckpoint = clock.GetTimestamp();
        var appStopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, appStopping);
        try
        {
            await foreach (var text in engine.ReplyAsync(context, result, stopped.Token))
            {
                reply.Append(text);
                if (clock.GetElapsedTime(lastCheckpoint) >= ExperimentRunner.CheckpointInterval)
                {
                    // A crash now loses at most the last two seconds of the reply.
                    await store.UpdateMessageAsync(replyId, reply.ToString(), RunStatus.Running, null, null, CancellationToken.None);
                    lastCheckpoint = clock.GetTimestamp();
                }
                yield return new ChatUpdate(ChatUpdateKind.ReplyDelta, text);
            }
            finished = true;
        }
        finally
        {
            alive.Dispose();
            stopped.Dispose();
            // Stop, a closed tab or the app stopping: the reply so far is kept, marked as such.
            if (!finished)
                await store.UpdateMessageAsync(replyId, reply.ToString(), appStopping.IsCancellationRequested ? RunStatus.Interrupted : RunStatus.Cancelled, null, result.Usage, CancellationToken.None);
        }

        if (result.Error is { } failure)
        {
            await store.UpdateMessageAsync(replyId, reply.ToString(), result.Interrupted ? RunStatus.Interrupted : RunStatus.Failed, null, result.Usage, CancellationToken.None);
            yield return new ChatUpdate(ChatUpdateKind.Failed, failure);
            yield break;
        }
        if (!result.Revise)
        {
            await store.UpdateMessageAsync(replyId, reply.ToString().Trim(), RunStatus.Succeeded, null, result.Usage, CancellationToken.None);
            yield return new ChatUpdate(ChatUpdateKind.ReplyDone, reply.ToString().Trim());
            yield return new ChatUpdate(ChatUpdateKind.Done);
            yield break;
        }

        var followUps = string.IsNullOrWhiteSpace(earlier) ? message : $"{earlier}\n{message}";
        RunPlan? plan;
        try
        {
            plan = await runner.PlanRevisionAsync(experimentId, $"chat: {Shorten(message, 120)}", engine.WithFollowUp(followUps), result.Rerun, saved.Version, saved.Revision, cancellationToken: CancellationToken.None);
        }
        catch (EditConflictException ex)
        {
            plan = null;
            await store.UpdateMessageAsync(replyId, reply.ToString().Trim(), RunStatus.Succeeded, null, result.Usage, CancellationToken.None);
            error = ex.Message + " The reply is saved; send the follow-up again to revise the newer revision.";
        }
        if (plan is null)
        {
            yield return new ChatUpdate(ChatUpdateKind.Conflict, error!);
            yield break;
        }
        await store.UpdateMessageAsync(replyId, reply.ToString().Trim(), RunStatus.Succeeded, plan!.Revision, result.Usage, CancellationToken.None);
        yield return new ChatUpdate(ChatUpdateKind.ReplyDone, reply.ToString().Trim(), Revision: plan.Revision);
        yield return new ChatUpdate(ChatUpdateKind.RevisionStarted, Revision: plan.Revision);
        await foreach (var update in runner.RunAsync(plan, cancellationToken))
            yield return new ChatUpdate(ChatUpdateKind.Stage, Stage: update, Revision: plan.Revision);
        yield return new ChatUpdate(ChatUpdateKind.Done, Revision: plan.Revision);
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
