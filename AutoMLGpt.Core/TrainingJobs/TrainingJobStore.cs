using AutoMLGpt.Core.Training;
using System.Text.Json;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Pipeline;
using Microsoft.EntityFrameworkCore;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>What a job trains.</summary>
public static class TrainingModes
{
    /// <summary>Stage C's hyperparameters, after a learning-curve probe predicts the final metric.</summary>
    public const string Recommended = "recommended";
    /// <summary>The portfolio's candidates on the same split; the best on validation is kept.</summary>
    public const string Race = "race";

    public static bool IsKnown(string mode) => mode is Recommended or Race;
}

/// <summary>One raced candidate: where it comes from, why it raced, and how it did.</summary>
public sealed record RaceResult(string Candidate, string Origin, string Reason, IReadOnlyDictionary<string, string> Values, double Valid, double Test, int BestIteration, double Seconds, bool Winner)
{
    /// <summary>Successive halving: the round after which it was dropped (null: it ran to its end).</summary>
    public int? DroppedAtIteration { get; init; }
}

/// <summary>What a finished run measured.</summary>
public sealed record TrainingResult(TestMetrics Test, int BestIteration, int Iterations, double Seconds, string Split, IReadOnlyList<string> ParameterMessages, string MetricName,
    TestMetrics? Baseline = null, string? BaselineTrainer = null, double? BaselineSeconds = null)
{
    /// <summary>The probe's predicted final metric with its calibrated band, made before training.</summary>
    public Knowledge.Portfolio.MetricForecast? Probe { get; init; }
    /// <summary>Race mode: every candidate, the winner marked.</summary>
    public IReadOnlyList<RaceResult> Race { get; init; } = [];
    /// <summary>Race mode: the ensemble built from the race, kept or not (null for runs from before ensembles).</summary>
    public RaceEnsembleResult? Ensemble { get; init; }
}

/// <summary>What the race's ensemble selection did: the weights, whether the ensemble replaced the winner, and why.</summary>
public sealed record RaceEnsembleResult(bool Kept, bool Bagged, string Why, IReadOnlyList<Knowledge.Portfolio.EnsembleWeight> Weights, double Valid, double WinnerValid, TestMetrics Test);

/// <summary>A training job as the UI sees it.</summary>
public sealed record TrainingJobView(
    Guid Id, Guid ExperimentId, int Revision, RunStatus Status, string? Error, string Log, IReadOnlyList<IterationMetrics> Curve,
    TrainingResult? Result, string MetricName, double? PredictedFinal, double? RealFinal, bool HasModel,
    DateTime CreatedUtc, DateTime? StartedUtc, DateTime? HeartbeatUtc, DateTime? CompletedUtc, Guid? RetryOf)
{
    public string Mode { get; init; } = TrainingModes.Recommended;
}

/// <summary>Training jobs in the database, one DbContext per operation.</summary>
public sealed class TrainingJobStore(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = ExperimentStore.Json;

    public async Task<Guid> CreateAsync(Guid experimentId, int revision, string datasetFile, string metricName, double? predicted, Guid? retryOf, CancellationToken ct, string mode = TrainingModes.Recommended)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new TrainingJobEntity
        {
            Id = Guid.CreateVersion7(), ExperimentId = experimentId, Revision = revision, DatasetFile = datasetFile, Status = RunStatus.Queued,
            MetricName = metricName, PredictedFinal = predicted, RetryOf = retryOf, CreatedUtc = now, HeartbeatUtc = now, Mode = mode,
        };
        db.TrainingJobs.Add(job);
        await db.SaveChangesAsync(ct);
        return job.Id;
    }

    public async Task UpdateAsync(Guid id, Action<TrainingJobEntity> change, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var job = await db.TrainingJobs.SingleAsync(j => j.Id == id, ct);
        change(job);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The job's trained model (LightGBM text): from the database, or for jobs from before that, the data folder's file.</summary>
    public async Task<string?> ModelTextAsync(TrainingJobEntity job, DataFolders folders, CancellationToken ct = default)
    {
        if (job.ModelFile is null) return null;
        await using (var db = await factory.CreateDbContextAsync(ct))
            if (await db.TrainingModels.AsNoTracking().Where(m => m.JobId == job.Id).Select(m => m.Text).SingleOrDefaultAsync(ct) is { } text) return text;
        var path = folders.ModelPath(job.ModelFile);
        return File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : null;
    }

    /// <summary>The experiment a job belongs to, without reading the job's log or checkpoint (an access check needs only this).</summary>
    public async Task<Guid?> ExperimentOfAsync(Guid jobId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.TrainingJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => (Guid?)j.ExperimentId).FirstOrDefaultAsync(ct);
    }

    public async Task<TrainingJobEntity?> FindAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.TrainingJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, ct);
    }

    public async Task<IReadOnlyList<TrainingJobView>> ForExperimentAsync(Guid experimentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.TrainingJobs.AsNoTracking().Where(j => j.ExperimentId == experimentId).ToListAsync(ct);
        return rows.OrderByDescending(j => j.CreatedUtc).Select(ToView).ToList();
    }

    /// <summary>Finished runs with their metrics: what the experience store learns from.</summary>
    /// <param name="since">Only jobs completed at or after this time (a few may repeat: the caller skips those it has).</param>
    public async Task<IReadOnlyList<TrainingJobEntity>> SucceededAsync(DateTime? since = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var from = since ?? DateTime.MinValue;
        return await db.TrainingJobs.AsNoTracking().Where(j => j.Status == RunStatus.Succeeded && j.CompletedUtc >= from).OrderBy(j => j.CompletedUtc).ToListAsync(ct);
    }

    /// <summary>This process as a job runner: the <see cref="TrainingJobEntity.ClaimedBy"/> of the jobs it claims.</summary>
    public static string ThisProcess { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>
    /// Claims the oldest queued job for <paramref name="runner"/>, atomically: of several processes asking at once (web
    /// nodes, workers) one gets it and the others skip it without waiting. Null when nothing is queued.
    /// PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>; SQL Server: <c>UPDLOCK, READPAST</c>; SQLite: one UPDATE statement in
    /// the file's single write transaction.
    /// </summary>
    public async Task<Guid?> ClaimNextAsync(string runner, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(ct);
        List<Guid> claimed = [];
        if (db.Database.IsNpgsql())
            claimed = await db.Database.SqlQuery<Guid>($"""
                UPDATE "TrainingJobs" SET "Status" = 'Running', "ClaimedBy" = {runner}, "HeartbeatUtc" = {now}, "StartedUtc" = {now}
                WHERE "Id" = (SELECT "Id" FROM "TrainingJobs" WHERE "Status" = 'Queued' ORDER BY "CreatedUtc" LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING "Id" AS "Value"
                """).ToListAsync(ct);
        else if (db.Database.IsSqlServer())
            claimed = await db.Database.SqlQuery<Guid>($"""
                WITH next AS (SELECT TOP (1) * FROM TrainingJobs WITH (UPDLOCK, READPAST, ROWLOCK) WHERE Status = 'Queued' ORDER BY CreatedUtc)
                UPDATE next SET Status = 'Running', ClaimedBy = {runner}, HeartbeatUtc = {now}, StartedUtc = {now}
                OUTPUT inserted.Id AS Value
                """).ToListAsync(ct);
        else
            await db.WriteAsync(async c =>
            {
                claimed = await db.Database.SqlQuery<Guid>($"""
                    UPDATE "TrainingJobs" SET "Status" = 'Running', "ClaimedBy" = {runner}, "HeartbeatUtc" = {now}, "StartedUtc" = {now}
                    WHERE "Id" = (SELECT "Id" FROM "TrainingJobs" WHERE "Status" = 'Queued' ORDER BY "CreatedUtc" LIMIT 1)
                    RETURNING "Id" AS "Value"
                    """).ToListAsync(c);
                return claimed.Count;
            }, ct);
        return claimed.Count == 0 ? null : claimed[0];
    }

    /// <summary>The running jobs of a runner that ended abnormally are failed with <paramref name="reason"/> (not queued again: an out-of-memory would repeat).</summary>
    public async Task<int> FailClaimedByAsync(string runner, string reason, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.WriteAsync(c => db.TrainingJobs.Where(j => j.ClaimedBy == runner && j.Status == RunStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, RunStatus.Failed).SetProperty(j => j.Error, reason)
                .SetProperty(j => j.CompletedUtc, now).SetProperty(j => j.CheckpointJson, (string?)null), c), ct);
    }

    /// <summary>Asks the process running the job to stop it (it checks at each checkpoint).</summary>
    public async Task RequestCancelAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.WriteAsync(c => db.TrainingJobs.Where(j => j.Id == id && j.Status == RunStatus.Running).ExecuteUpdateAsync(u => u.SetProperty(j => j.CancelRequested, true), c), ct);
    }

    /// <summary>
    /// Refreshes the heartbeat of this process's jobs: the queued ones it enqueued and the running ones it claimed (a
    /// job another process runs is that process's to keep alive, so a dead runner's job goes stale).
    /// </summary>
    public async Task BeatAsync(IReadOnlyCollection<Guid> jobIds, DateTime now, CancellationToken ct = default)
    {
        if (jobIds.Count == 0) return;
        await using var db = await factory.CreateDbContextAsync(ct);
        var me = ThisProcess;
        await db.WriteAsync(c => db.TrainingJobs.Where(j => jobIds.Contains(j.Id) && ((j.Status == RunStatus.Running && (j.ClaimedBy == null || j.ClaimedBy == me)) || j.Status == RunStatus.Queued))
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.HeartbeatUtc, now), c), ct);
    }

    /// <summary>
    /// Jobs with no heartbeat since <paramref name="staleBefore"/> (their process is gone): a running one with a model
    /// checkpoint goes back to the queue, to continue from it on the next runner that claims it; the others are
    /// interrupted, their logs kept.
    /// </summary>
    public async Task<int> InterruptStaleAsync(DateTime staleBefore, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.WriteAsync(c => db.TrainingJobs
            .Where(j => j.Status == RunStatus.Running && j.CheckpointJson != null && (j.HeartbeatUtc == null || j.HeartbeatUtc < staleBefore))
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, RunStatus.Queued).SetProperty(j => j.ClaimedBy, (string?)null)
                .SetProperty(j => j.HeartbeatUtc, now).SetProperty(j => j.CancelRequested, false), c), ct);
        return await db.WriteAsync(c => db.TrainingJobs
            .Where(j => (j.Status == RunStatus.Running || j.Status == RunStatus.Queued) && (j.HeartbeatUtc == null || j.HeartbeatUtc < staleBefore))
            .ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, RunStatus.Interrupted).SetProperty(j => j.CompletedUtc, now)
                .SetProperty(j => j.Error, "The process running it (the app, or the worker that claimed it) stopped while this run was queued or running; its log up to then is kept. Start a new run."), c), ct);
    }

    public static TrainingJobView ToView(TrainingJobEntity j) => new(
        j.Id, j.ExperimentId, j.Revision, j.Status, j.Error, j.Log,
        JsonSerializer.Deserialize<List<IterationMetrics>>(j.CurveJson, Json) ?? [],
        j.ResultJson is null ? null : JsonSerializer.Deserialize<TrainingResult>(j.ResultJson, Json),
        j.MetricName, j.PredictedFinal, j.RealFinal, j.ModelFile is not null, j.CreatedUtc, j.StartedUtc, j.HeartbeatUtc, j.CompletedUtc, j.RetryOf) { Mode = j.Mode };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);
}
