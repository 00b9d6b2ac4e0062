using System.Globalization;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>Bounds on what one session (a browser tab's circuit) and the whole app may run. Section <c>Limits</c>.</summary>
public sealed class UsageLimitOptions
{
    public const string Section = "Limits";

    /// <summary>Runs (stages or chat revisions) one session may have going at once.</summary>
    public int MaxConcurrentRunsPerSession { get; set; } = 2;

    /// <summary>Runs going at once over all sessions; opening more tabs does not get around it.</summary>
    public int MaxConcurrentRuns { get; set; } = 8;

    /// <summary>Language-model tokens (in + out) one session may spend per rolling hour.</summary>
    public long MaxTokensPerSessionPerHour { get; set; } = 200_000;

    /// <summary>Language-model tokens the whole app may spend per rolling hour (the denial-of-wallet stop).</summary>
    public long MaxTokensPerHour { get; set; } = 2_000_000;

    public IEnumerable<string> Problems()
    {
        if (MaxConcurrentRunsPerSession < 1) yield return "Limits:MaxConcurrentRunsPerSession must be at least 1.";
        if (MaxConcurrentRuns < 1) yield return "Limits:MaxConcurrentRuns must be at least 1.";
        if (MaxTokensPerSessionPerHour < 1) yield return "Limits:MaxTokensPerSessionPerHour must be at least 1.";
        if (MaxTokensPerHour < 1) yield return "Limits:MaxTokensPerHour must be at least 1.";
    }
}

/// <summary>
/// Per-session and app-wide quotas, checked before any expensive call: concurrent runs for every engine, and a rolling
/// hour of language-model tokens. Blazor Server has no per-user connection limit and rate-limiting middleware only
/// sees the connection, so the limits live here, in the app.
/// </summary>
public sealed class UsageLimiter(UsageLimitOptions options, TimeProvider clock)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly object _gate = new();
    private readonly Dictionary<Guid, int> _active = [];
    private int _total;
    private readonly List<(DateTime At, Guid Session, long Tokens)> _spent = [];

    public UsageLimitOptions Options => options;

    /// <summary>Takes a run slot; dispose the lease when the run ends. Null with the reason when a limit is reached.</summary>
    public IDisposable? TryStartRun(Guid session, bool usesLanguageModel, out string? refusal)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            _spent.RemoveAll(s => now - s.At > Window);
            var mine = _active.GetValueOrDefault(session);
            if (mine >= options.MaxConcurrentRunsPerSession)
            {
                refusal = $"This tab already has {mine} run{(mine == 1 ? "" : "s")} going (Limits:MaxConcurrentRunsPerSession is {options.MaxConcurrentRunsPerSession}). Wait for it to finish or stop it.";
                return null;
            }
            if (_total >= options.MaxConcurrentRuns)
            {
                refusal = $"The app is running {_total} experiments at once, its limit (Limits:MaxConcurrentRuns). Try again in a minute.";
                return null;
            }
            if (usesLanguageModel)
            {
                var sessionTokens = _spent.Where(s => s.Session == session).Sum(s => s.Tokens);
                if (sessionTokens >= options.MaxTokensPerSessionPerHour)
                {
                    refusal = $"This tab used {sessionTokens:N0} language-model tokens in the last hour (Limits:MaxTokensPerSessionPerHour is {options.MaxTokensPerSessionPerHour:N0}). "
                              + $"Runs on the language model can start again at {FreeAt(s => s.Session == session, sessionTokens - options.MaxTokensPerSessionPerHour)}; the offline engine is not limited.";
                    return null;
                }
                var allTokens = _spent.Sum(s => s.Tokens);
                if (allTokens >= options.MaxTokensPerHour)
                {
                    refusal = $"The app used {allTokens:N0} language-model tokens in the last hour, its budget (Limits:MaxTokensPerHour). "
                              + $"Runs on the language model can start again at {FreeAt(_ => true, allTokens - options.MaxTokensPerHour)}.";
                    return null;
                }
            }
            _active[session] = mine + 1;
            _total++;
            refusal = null;
            return new Lease(this, session);
        }
    }

    /// <summary>Counts tokens a session's run or chat reply spent.</summary>
    public void RecordTokens(Guid session, TokenUsage? usage)
    {
        if (usage is null || usage.Input + usage.Output <= 0) return;
        lock (_gate) _spent.Add((clock.GetUtcNow().UtcDateTime, session, usage.Input + usage.Output));
    }

    public int ActiveRuns { get { lock (_gate) return _total; } }

    // When enough of the window's oldest spending has aged out to bring the total back under the limit.
    private string FreeAt(Func<(DateTime At, Guid Session, long Tokens), bool> which, long over)
    {
        long freed = 0;
        foreach (var s in _spent.Where(which).OrderBy(s => s.At))
        {
            freed += s.Tokens;
            if (freed > over) return (s.At + Window).ToString("HH:mm 'UTC'", CultureInfo.InvariantCulture);
        }
        return "within the hour";
    }

    private void Release(Guid session)
    {
        lock (_gate)
        {
            _total--;
            if (--_active[session] <= 0) _active.Remove(session);
        }
    }

    private sealed class Lease(UsageLimiter owner, Guid session) : IDisposable
    {
        private int _disposed;
        public void Dispose() { if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Release(session); }
    }
}

/// <summary>Identifies one session (a circuit: one browser tab) for the quotas; registered scoped.</summary>
public sealed class SessionIdentity
{
    public Guid Id { get; } = Guid.NewGuid();
}
