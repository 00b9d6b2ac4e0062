using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Experiments;

/// <summary>
/// One event of a run streamed by this process, as a follower sees it: a revision started (with the stages it keeps
/// as <see cref="StageUpdateKind.Completed"/> updates), a stage update, or the end of the revision (saved by then).
/// </summary>
public sealed record LiveRunEvent(Guid ExperimentId, int Revision, LiveRunEventKind Kind, StageUpdate? Update = null);

public enum LiveRunEventKind { Started, Stage, Ended }

/// <summary>
/// What this process is running now: experiment runs, chat replies and training jobs. Only these get heartbeats, so
/// another instance on the same database (or this one after a crash) can tell live runs from abandoned ones.
/// Stage streams are also broadcast, so another tab or page of this process follows a run as it streams instead of
/// polling the database. Per process: a run streamed by another server node is seen through the database.
/// </summary>
public sealed class LiveRuns
{
    private readonly object _gate = new();
    private readonly Dictionary<(Guid ExperimentId, int Revision), int> _revisions = [];
    private readonly Dictionary<long, int> _messages = [];
    private readonly Dictionary<Guid, int> _jobs = [];
    private readonly Dictionary<Guid, Feed> _feeds = [];
    private readonly Dictionary<Guid, List<Channel<LiveRunEvent>>> _followers = [];

    public IDisposable Revision(Guid experimentId, int revision) => Track(_revisions, (experimentId, revision));
    public IDisposable Message(long messageId) => Track(_messages, messageId);
    public IDisposable TrainingJob(Guid jobId) => Track(_jobs, jobId);

    public IReadOnlyList<(Guid ExperimentId, int Revision)> Revisions { get { lock (_gate) return [.. _revisions.Keys]; } }
    public IReadOnlyList<long> Messages { get { lock (_gate) return [.. _messages.Keys]; } }
    public IReadOnlyList<Guid> TrainingJobs { get { lock (_gate) return [.. _jobs.Keys]; } }

    /// <summary>
    /// Opens the broadcast of one revision's stream (the runner calls it; one stream per experiment at a time).
    /// Disposing it tells followers the revision ended; the runner does that after the final status is saved.
    /// </summary>
    public IDisposable Broadcast(Guid experimentId, int revision, IReadOnlyDictionary<StageKind, StageOutput> kept)
    {
        var feed = new Feed(experimentId, revision, kept);
        lock (_gate)
        {
            _feeds[experimentId] = feed;
            foreach (var e in feed.Replay()) Send(experimentId, e);
        }
        return new Untrack(() =>
        {
            lock (_gate)
            {
                if (_feeds.TryGetValue(experimentId, out var current) && current == feed) _feeds.Remove(experimentId);
                Send(experimentId, new LiveRunEvent(experimentId, revision, LiveRunEventKind.Ended));
            }
        });
    }

    public void Publish(Guid experimentId, StageUpdate update)
    {
        lock (_gate)
        {
            if (!_feeds.TryGetValue(experimentId, out var feed)) return;
            feed.Apply(update);
            Send(experimentId, new LiveRunEvent(experimentId, feed.Revision, LiveRunEventKind.Stage, update));
        }
    }

    /// <summary>
    /// Every run of the experiment streamed by this process from now until cancelled: one in progress is replayed
    /// first (its text so far as one delta per stage), then each later run as it starts.
    /// </summary>
    public async IAsyncEnumerable<LiveRunEvent> FollowAsync(Guid experimentId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<LiveRunEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            if (!_followers.TryGetValue(experimentId, out var list)) _followers[experimentId] = list = [];
            list.Add(channel);
            if (_feeds.TryGetValue(experimentId, out var feed))
                foreach (var e in feed.Replay()) channel.Writer.TryWrite(e);
        }
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(cancellationToken)) yield return e;
        }
        finally
        {
            lock (_gate)
                if (_followers.TryGetValue(experimentId, out var list) && list.Remove(channel) && list.Count == 0) _followers.Remove(experimentId);
        }
    }

    private void Send(Guid experimentId, LiveRunEvent e)
    {
        if (_followers.TryGetValue(experimentId, out var list))
            foreach (var c in list) c.Writer.TryWrite(e);
    }

    private IDisposable Track<T>(Dictionary<T, int> set, T key) where T : notnull
    {
        lock (_gate) set[key] = set.GetValueOrDefault(key) + 1;
        return new Untrack(() =>
        {
            lock (_gate)
                if (set.TryGetValue(key, out var n)) { if (n <= 1) set.Remove(key); else set[key] = n - 1; }
        });
    }

    private sealed class Untrack(Action release) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) release(); }
    }

    /// <summary>A revision's stream so far, compacted so a late follower catches up in a few events.</summary>
    private sealed class Feed(Guid experimentId, int revision, IReadOnlyDictionary<StageKind, StageOutput> kept)
    {
        private readonly Dictionary<StageKind, StringBuilder> _text = [];
        private readonly Dictionary<StageKind, StageUpdate> _ended = kept.ToDictionary(k => k.Key, k => StageUpdate.Completed(k.Value));

        public int Revision => revision;

        public void Apply(StageUpdate update)
        {
            switch (update.Kind)
            {
                case StageUpdateKind.Started: _text[update.Stage] = new StringBuilder(); _ended.Remove(update.Stage); break;
                case StageUpdateKind.Delta: (_text.TryGetValue(update.Stage, out var b) ? b : _text[update.Stage] = new StringBuilder()).Append(update.Text); break;
                default: _ended[update.Stage] = update; break;
            }
        }

        public IEnumerable<LiveRunEvent> Replay()
        {
            yield return new LiveRunEvent(experimentId, revision, LiveRunEventKind.Started);
            foreach (var stage in StageNames.InOrder)
            {
                var ended = _ended.GetValueOrDefault(stage);
                if (_text.TryGetValue(stage, out var text) && ended?.Kind != StageUpdateKind.Completed)
                {
                    yield return Stage(StageUpdate.Started(stage));
                    if (text.Length > 0) yield return Stage(StageUpdate.Delta(stage, text.ToString()));
                }
                if (ended is not null) yield return Stage(ended);
            }
        }

        private LiveRunEvent Stage(StageUpdate u) => new(experimentId, revision, LiveRunEventKind.Stage, u);
    }
}
