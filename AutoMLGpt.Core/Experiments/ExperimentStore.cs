using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Pipeline;
using Microsoft.EntityFrameworkCore;

namespace AutoMLGpt.Core.Experiments;

/// <summary>A row of the history list, with the primary metric as predicted by stage D and as measured by real training.</summary>
public sealed record ExperimentSummary(
    Guid Id, string Name, string DatasetName, string ModelName, string Engine, RunStatus Status,
    DateTime CreatedUtc, DateTime? CompletedUtc, int StagesDone,
    bool Pinned = false, string? MetricName = null, double? Predicted = null, double? Real = null, bool HigherIsBetter = true,
    IReadOnlyList<string>? Tags = null, string? OwnerId = null, bool Shared = false)
{
    /// <summary>The measured value where there is one, else the predicted one.</summary>
    public double? Metric => Real ?? Predicted;
}

public enum HistorySort { Created, Dataset, Model, Metric }

/// <summary>How History filters and orders experiments. Pinned experiments always come first.</summary>
public sealed record HistoryQuery(
    string? Search = null, RunStatus? Status = null, string? Engine = null, DateTime? FromUtc = null, DateTime? ToUtc = null,
    HistorySort Sort = HistorySort.Created, bool Descending = true, bool PinnedOnly = false, int Take = 500, string? Tag = null,
    string? MetricName = null, double? MetricMin = null, double? MetricMax = null, Access.Viewer? VisibleTo = null, int Skip = 0);

/// <summary>One stage as saved.</summary>
public sealed record SavedStage(StageKind Stage, int Revision, RunStatus Status, StageOutput Output, string? Error, DateTime StartedUtc, DateTime? CompletedUtc);

/// <summary>One revision of an experiment, as listed; <paramref name="EngineSettings"/> says how it was produced (never a key).</summary>
public sealed record RevisionInfo(int Number, int? ParentNumber, string Reason, string? FollowUp, string Engine, RunStatus Status, DateTime CreatedUtc,
    IReadOnlyDictionary<string, string>? EngineSettings = null);

/// <summary>One chat message.</summary>
public sealed record ChatEntry(long Id, string Role, string Content, int? Revision, RunStatus Status, TokenUsage? Usage, DateTime CreatedUtc);

/// <summary>A saved experiment with its cards, the stages of one revision (the latest by default), its revisions and chat.</summary>
public sealed record ExperimentDetails(
    Guid Id, string Name, string Engine, RunStatus Status, string? Error, ExperimentCards Cards, string PromptParagraph,
    DateTime CreatedUtc, DateTime? CompletedUtc, Guid? RerunOf, int Revision, IReadOnlyList<SavedStage> Stages,
    IReadOnlyList<RevisionInfo> Revisions, IReadOnlyList<ChatEntry> Messages, TokenUsage Usage, string? DatasetFile = null,
    int Version = 1, string Notes = "", bool Pinned = false, string? ImportedFrom = null, IReadOnlyList<string>? Tags = null,
    Access.Ownership? Ownership = null)
{
    public IReadOnlyList<string> TagList => Tags ?? [];
    public Access.Ownership Owner => Ownership ?? new Access.Ownership(null, false);

    public SavedStage? Stage(StageKind kind) => Stages.FirstOrDefault(s => s.Stage == kind);
    public int LatestRevision => Revisions.Count == 0 ? 1 : Revisions.Max(r => r.Number);
    public RevisionInfo? CurrentRevision => Revisions.FirstOrDefault(r => r.Number == Revision);
}

/// <summary>
/// Saves and reads experiments. One DbContext per operation (a Blazor circuit lives long and a DbContext is not thread-safe).
/// </summary>
public sealed class ExperimentStore(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    // NaN is written as "NaN": a training loss not evaluated on an iteration (races evaluate validation only) is NaN.
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public async Task<Guid> CreateAsync(ExperimentCards cards, string engine, Guid? rerunOf = null, string? datasetFile = null,
        IReadOnlyDictionary<string, string>? engineSettings = null, string? ownerId = null, CancellationToken cancellationToken = default)
    {
        var errors = CardValidator.Validate(cards);
        if (errors.Count > 0) throw new CardValidationException(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var entity = new ExperimentEntity
        {
            Id = Guid.CreateVersion7(),
            Name = $"{cards.Data.Name.Trim()} · {cards.Model.Name.Trim()}",
            DatasetName = cards.Data.Name.Trim(),
            ModelName = cards.Model.Name.Trim(),
            Engine = engine,
            Status = RunStatus.Running,
            CardsJson = JsonSerializer.Serialize(cards, Json),
            PromptParagraph = PromptParagraph.Compose(cards),
            CreatedUtc = now,
            UpdatedUtc = now,
            RerunOf = rerunOf,
            LatestRevision = 1,
            DatasetFile = datasetFile,
            OwnerId = ownerId,
        };
        entity.Revisions.Add(new RevisionEntity
        {
            Number = 1, Reason = rerunOf is null ? "first run" : "run again", Engine = engine, Status = RunStatus.Running, CreatedUtc = now, HeartbeatUtc = now,
            EngineSettingsJson = SettingsJson(engineSettings),
        });
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.Experiments.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return entity.Id;
    }

    /// <summary>Inserts or updates one stage of one revision; called as a stage starts, checkpoints and ends.</summary>
    public async Task SaveStageAsync(Guid experimentId, int revision, StageKind stage, RunStatus status, StageOutput output, string? error,
        CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.Stages.SingleOrDefaultAsync(s => s.ExperimentId == experimentId && s.Revision == revision && s.Stage == stage, cancellationToken);
        if (row is null)
        {
            row = new StageEntity { ExperimentId = experimentId, Revision = revision, Stage = stage, StartedUtc = now };
            db.Stages.Add(row);
        }
        row.Status = status;
        row.Text = output.Text;
        row.SetStructured(output.Hyperparameters is not null || output.Curve is not null ? JsonSerializer.Serialize(output with { Text = "" }, Json) : null, output.Curve); // text lives in its own column
        row.Error = Truncate(error);
        row.InputTokens = output.Usage?.Input;
        row.OutputTokens = output.Usage?.Output;
        row.CompletedUtc = status is RunStatus.Running ? null : now;
        var experiment = await db.Experiments.SingleAsync(e => e.Id == experimentId, cancellationToken);
        experiment.UpdatedUtc = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Records how a revision's run ended; the experiment's status follows its latest revision.</summary>
    public async Task FinishAsync(Guid experimentId, int revision, RunStatus status, string? error, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var experiment = await db.Experiments.SingleAsync(e => e.Id == experimentId, cancellationToken);
        var row = await db.Revisions.SingleOrDefaultAsync(r => r.ExperimentId == experimentId && r.Number == revision, cancellationToken);
        if (row is not null) row.Status = status;
        if (revision != experiment.LatestRevision) { await db.SaveChangesAsync(cancellationToken); return; }
        experiment.Status = status;
        experiment.Error = Truncate(error);
        experiment.UpdatedUtc = now;
        experiment.CompletedUtc = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Newest first; <paramref name="search"/> matches the dataset, model, engine or name.</summary>
    public Task<IReadOnlyList<ExperimentSummary>> ListAsync(string? search = null, int take = 200, CancellationToken cancellationToken = default) =>
        QueryAsync(new HistoryQuery(search, Take: take), cancellationToken);

    /// <summary>
    /// History: filtered, ordered (pinned first) and paged in the database, each experiment with its metric, so the oldest
    /// experiment that matches is found however many there are.
    /// </summary>
    public async Task<IReadOnlyList<ExperimentSummary>> QueryAsync(HistoryQuery q, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await Ordered(Filtered(db, q), q)
            .Skip(Math.Max(0, q.Skip))
            .Take(Math.Clamp(q.Take, 1, 5000))
            .ToListAsync(cancellationToken);
        return rows.Select(r => new ExperimentSummary(r.Id, r.Name, r.DatasetName, r.ModelName, r.Engine, r.Status, r.CreatedUtc, r.CompletedUtc, r.Done,
            r.Pinned, r.MetricName, r.Predicted, r.Real, r.HigherIsBetter, ExperimentTags.FromStored(r.Tags), r.OwnerId, r.Shared)).ToList();
    }

    /// <summary>How many experiments match <paramref name="q"/> (its paging aside): History's page count.</summary>
    public async Task<int> CountAsync(HistoryQuery q, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await Filtered(db, q).CountAsync(cancellationToken);
    }

    /// <summary>A History row as the database computes it: stage D's prediction and the latest real run's value as columns.</summary>
    private sealed class HistoryRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string DatasetName { get; init; } = "";
        public string ModelName { get; init; } = "";
        public string Engine { get; init; } = "";
        public RunStatus Status { get; init; }
        public DateTime CreatedUtc { get; init; }
        public DateTime? CompletedUtc { get; init; }
        public bool Pinned { get; init; }
        public string Tags { get; init; } = "";
        public string? OwnerId { get; init; }
        public bool Shared { get; init; }
        public int Done { get; init; }
        public string? MetricName { get; init; }
        public double? Predicted { get; init; }
        public double? Real { get; init; }
        public bool HigherIsBetter { get; init; }
        /// <summary>The measured value where there is one, else the predicted one (as <see cref="ExperimentSummary.Metric"/>).</summary>
        public double? Metric { get; init; }
    }

    private static IQueryable<HistoryRow> Filtered(AppDbContext db, HistoryQuery q)
    {
        var query = db.Experiments.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q.Search))
        {
            // Case-insensitive on both providers ("adult" finds "UCI Adult"); the user's % and _ are literal characters.
            var pattern = "%" + q.Search.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
            // PostgreSQL's LIKE is case-sensitive: ILIKE there; SQLite's and SQL Server's (default collation) LIKE are not.
            query = db.Database.IsNpgsql()
                ? query.Where(e => EF.Functions.ILike(e.Name, pattern, "\\") || EF.Functions.ILike(e.DatasetName, pattern, "\\")
                                   || EF.Functions.ILike(e.ModelName, pattern, "\\") || EF.Functions.ILike(e.Engine, pattern, "\\"))
                : query.Where(e => EF.Functions.Like(e.Name, pattern, "\\") || EF.Functions.Like(e.DatasetName, pattern, "\\")
                                   || EF.Functions.Like(e.ModelName, pattern, "\\") || EF.Functions.Like(e.Engine, pattern, "\\"));
        }
        if (q.Status is { } status) query = query.Where(e => e.Status == status);
        if (!string.IsNullOrWhiteSpace(q.Engine)) query = query.Where(e => e.Engine == q.Engine);
        if (q.FromUtc is { } from) query = query.Where(e => e.CreatedUtc >= from);
        if (q.ToUtc is { } to) query = query.Where(e => e.CreatedUtc < to);
        if (q.PinnedOnly) query = query.Where(e => e.Pinned);
        query = VisibleTo(query, q.VisibleTo);
        if (!string.IsNullOrWhiteSpace(q.Tag))
        {
            var tag = "," + q.Tag.Trim().TrimStart('#').ToLowerInvariant() + ",";
            query = query.Where(e => e.Tags.Contains(tag));
        }
        // Scalar subqueries (no APPLY/LATERAL, which SQLite lacks): stage D of the latest revision, and the latest real run.
        var rows = query
            .Select(e => new
            {
                e,
                Done = e.Stages.Count(s => s.Revision == e.LatestRevision && s.Status == RunStatus.Succeeded),
                CurveMetric = e.Stages.Where(s => s.Revision == e.LatestRevision && s.Stage == StageKind.TrainingLog && s.Status == RunStatus.Succeeded).Select(s => s.CurveMetric).FirstOrDefault(),
                Predicted = e.Stages.Where(s => s.Revision == e.LatestRevision && s.Stage == StageKind.TrainingLog && s.Status == RunStatus.Succeeded).Select(s => s.CurveFinal).FirstOrDefault(),
                CurveHigher = e.Stages.Where(s => s.Revision == e.LatestRevision && s.Stage == StageKind.TrainingLog && s.Status == RunStatus.Succeeded).Select(s => s.CurveHigherIsBetter).FirstOrDefault(),
                Real = db.TrainingJobs.Where(j => j.ExperimentId == e.Id && j.Status == RunStatus.Succeeded && j.RealFinal != null).OrderByDescending(j => j.CompletedUtc).Select(j => j.RealFinal).FirstOrDefault(),
                JobMetric = db.TrainingJobs.Where(j => j.ExperimentId == e.Id && j.Status == RunStatus.Succeeded && j.RealFinal != null).OrderByDescending(j => j.CompletedUtc).Select(j => j.MetricName).FirstOrDefault(),
            })
            .Select(r => new HistoryRow
            {
                Id = r.e.Id, Name = r.e.Name, DatasetName = r.e.DatasetName, ModelName = r.e.ModelName, Engine = r.e.Engine, Status = r.e.Status,
                CreatedUtc = r.e.CreatedUtc, CompletedUtc = r.e.CompletedUtc, Pinned = r.e.Pinned, Tags = r.e.Tags, OwnerId = r.e.OwnerId, Shared = r.e.Shared,
                Done = r.Done, MetricName = r.CurveMetric ?? r.JobMetric, Predicted = r.Predicted, Real = r.Real, Metric = r.Real ?? r.Predicted,
                // TaskDefaults.HigherIsBetter, in SQL, for a run whose stage D predicted no curve.
                HigherIsBetter = r.CurveHigher ?? !((r.JobMetric ?? "").ToLower().Contains("rmse") || (r.JobMetric ?? "").ToLower().Contains("mae")
                    || (r.JobMetric ?? "").ToLower().Contains("mse") || (r.JobMetric ?? "").ToLower().Contains("loss") || (r.JobMetric ?? "").ToLower().Contains("error")),
            });
        // A metric condition ("accuracy above 0.87") applies to the measured value where there is one, else the predicted.
        if (q.MetricName is { Length: > 0 } || q.MetricMin is not null || q.MetricMax is not null)
        {
            rows = rows.Where(r => r.Metric != null);
            if (!string.IsNullOrWhiteSpace(q.MetricName))
            {
                var name = q.MetricName.Trim().ToLowerInvariant();
                rows = rows.Where(r => (r.MetricName ?? "").ToLower().Contains(name));
            }
            if (q.MetricMin is { } min) rows = rows.Where(r => r.Metric > min);
            if (q.MetricMax is { } max) rows = rows.Where(r => r.Metric < max);
        }
        return rows;
    }

    private static IQueryable<HistoryRow> Ordered(IQueryable<HistoryRow> rows, HistoryQuery q)
    {
        var ordered = rows.OrderByDescending(r => r.Pinned);
        ordered = q.Sort switch
        {
            HistorySort.Dataset => q.Descending ? ordered.ThenByDescending(r => r.DatasetName.ToLower()) : ordered.ThenBy(r => r.DatasetName.ToLower()),
            HistorySort.Model => q.Descending ? ordered.ThenByDescending(r => r.ModelName.ToLower()) : ordered.ThenBy(r => r.ModelName.ToLower()),
            // Best first when descending: a lower RMSE ranks above a higher one. Experiments with no metric go last.
            HistorySort.Metric => ordered.ThenBy(r => r.Metric == null).ThenBy(r => r.HigherIsBetter == q.Descending ? -r.Metric : r.Metric),
            _ => q.Descending ? ordered.ThenByDescending(r => r.CreatedUtc) : ordered.ThenBy(r => r.CreatedUtc),
        };
        return ordered.ThenByDescending(r => r.CreatedUtc).ThenBy(r => r.Id); // a stable order, so pages never overlap
    }

    /// <summary>Replaces the experiment's tags (normalised; invalid tags throw <see cref="CardValidationException"/> and nothing is saved).</summary>
    public async Task<IReadOnlyList<string>> SetTagsAsync(Guid id, IEnumerable<string> tags, CancellationToken cancellationToken = default)
    {
        var normalised = ExperimentTags.Normalise(tags);
        var stored = ExperimentTags.ToStored(normalised);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.WriteAsync(ct => db.Experiments.Where(e => e.Id == id).ExecuteUpdateAsync(u => u.SetProperty(e => e.Tags, stored), ct), cancellationToken);
        return normalised;
    }

    /// <summary>Stage C's table of each experiment's latest revision (for exports), by experiment.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<HyperparameterRow>>> HyperparametersAsync(IReadOnlyCollection<Guid> ids,
        CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Experiments.AsNoTracking().Where(e => ids.Contains(e.Id))
            .Select(e => new
            {
                e.Id,
                Json = e.Stages.Where(s => s.Revision == e.LatestRevision && s.Stage == StageKind.Hyperparameters && s.Status == RunStatus.Succeeded)
                    .Select(s => s.StructuredJson).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => r.Id, r => (IReadOnlyList<HyperparameterRow>)(r.Json is null ? [] : JsonSerializer.Deserialize<StageOutput>(r.Json, Json)?.Hyperparameters ?? []));
    }

    /// <summary>Every tag in use on the experiments <paramref name="viewer"/> may read, with how many carry it, most used first.</summary>
    public async Task<IReadOnlyList<(string Tag, int Count)>> TagsAsync(Access.Viewer? viewer = null, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var stored = await VisibleTo(db.Experiments.AsNoTracking(), viewer).Where(e => e.Tags != "").Select(e => e.Tags).ToListAsync(cancellationToken);
        return stored.SelectMany(ExperimentTags.FromStored).GroupBy(t => t).Select(g => (g.Key, g.Count()))
            .OrderByDescending(t => t.Item2).ThenBy(t => t.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Who owns the experiment and whether it is shared; null when it does not exist. Cheap: for access checks.</summary>
    public async Task<Access.Ownership?> OwnershipAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.Experiments.AsNoTracking().Where(e => e.Id == id).Select(e => new { e.OwnerId, e.Shared }).SingleOrDefaultAsync(cancellationToken);
        return row is null ? null : new Access.Ownership(row.OwnerId, row.Shared, await OwnerNameAsync(db, row.OwnerId, cancellationToken));
    }

    /// <summary>Shares the experiment with every account (read-only for them) or makes it private again.</summary>
    public async Task SetSharedAsync(Guid id, bool shared, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.WriteAsync(ct => db.Experiments.Where(e => e.Id == id).ExecuteUpdateAsync(u => u.SetProperty(e => e.Shared, shared), ct), cancellationToken);
    }

    /// <summary>Only what <paramref name="viewer"/> may read: their own, shared and ownerless experiments (everything for admins and in single-user mode).</summary>
    internal static IQueryable<ExperimentEntity> VisibleTo(IQueryable<ExperimentEntity> query, Access.Viewer? viewer)
    {
        if (viewer is null || viewer.SeesEverything) return query;
        var user = viewer.UserId;
        return query.Where(e => e.OwnerId == null || e.Shared || e.OwnerId == user);
    }

    internal static async Task<string?> OwnerNameAsync(AppDbContext db, string? ownerId, CancellationToken cancellationToken) =>
        ownerId is null ? null : await db.Users.AsNoTracking().Where(u => u.Id == ownerId).Select(u => u.UserName).SingleOrDefaultAsync(cancellationToken);

    public async Task SetPinnedAsync(Guid id, bool pinned, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.WriteAsync(ct => db.Experiments.Where(e => e.Id == id).ExecuteUpdateAsync(u => u.SetProperty(e => e.Pinned, pinned), ct), cancellationToken);
    }

    /// <summary>
    /// Saves the experiment's name and notes as edited from <paramref name="basedOnVersion"/>. If another session saved
    /// in between, nothing is written and <see cref="EditConflictException"/> says so.
    /// </summary>
    public async Task<int> UpdateNotesAsync(Guid id, int basedOnVersion, string name, string notes, CancellationToken cancellationToken = default)
    {
        name = name.Trim();
        if (name.Length is 0 or > 420) throw new CardValidationException([new("Name", "The name must have 1 to 420 characters.")]);
        if (notes.Length > 8000) throw new CardValidationException([new("Notes", $"Notes are {notes.Length:N0} characters; at most 8,000.")]);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var e = await db.Experiments.SingleOrDefaultAsync(x => x.Id == id, cancellationToken)
                ?? throw new EditConflictException("This experiment was deleted in another session.", 0);
        CheckVersion(e, basedOnVersion);
        e.Name = name;
        e.Notes = notes;
        e.Version++;
        e.UpdatedUtc = clock.GetUtcNow().UtcDateTime;
        await SaveVersionedAsync(db, basedOnVersion, cancellationToken);
        return e.Version;
    }

    private static void CheckVersion(ExperimentEntity e, int? basedOnVersion)
    {
        if (basedOnVersion is { } v && e.Version != v)
            throw new EditConflictException(
                $"This experiment was changed in another session since you opened it (now version {e.Version}, revision {e.LatestRevision}; yours was based on version {v}).", e.Version);
    }

    private static async Task SaveVersionedAsync(AppDbContext db, int? basedOnVersion, CancellationToken cancellationToken)
    {
        try { await db.SaveChangesAsync(cancellationToken); }
        catch (DbUpdateConcurrencyException)
        {
            // Two saves passed the check at the same moment; the database's concurrency token let only one through.
            throw new EditConflictException("This experiment was changed in another session at the same moment.", (basedOnVersion ?? 0) + 1);
        }
    }

    /// <param name="revision">Which revision's stages to return; the latest when null or unknown.</param>
    public async Task<ExperimentDetails?> GetAsync(Guid id, int? revision = null, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var e = await db.Experiments.AsNoTracking().AsSplitQuery()
            .Include(x => x.Stages).Include(x => x.Revisions).Include(x => x.Messages)
            .SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (e is null) return null;
        var shown = revision is { } r && e.Revisions.Any(x => x.Number == r) ? r : e.LatestRevision;
        var stages = e.Stages.Where(s => s.Revision == shown).OrderBy(s => s.Stage).Select(ToSaved).ToList();
        var cards = JsonSerializer.Deserialize<ExperimentCards>(e.CardsJson, Json) ?? throw new InvalidDataException($"Experiment {id} has unreadable cards.");
        var revisions = e.Revisions.OrderBy(x => x.Number)
            .Select(x => new RevisionInfo(x.Number, x.ParentNumber, x.Reason, x.FollowUp, x.Engine, x.Status, x.CreatedUtc,
                x.EngineSettingsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(x.EngineSettingsJson, Json))).ToList();
        var messages = e.Messages.OrderBy(m => m.CreatedUtc).ThenBy(m => m.Id)
            .Select(m => new ChatEntry(m.Id, m.Role, m.Content, m.Revision, m.Status, Usage(m.InputTokens, m.OutputTokens), m.CreatedUtc)).ToList();
        var usage = new TokenUsage(
            e.Stages.Sum(s => s.InputTokens ?? 0) + e.Messages.Sum(m => m.InputTokens ?? 0),
            e.Stages.Sum(s => s.OutputTokens ?? 0) + e.Messages.Sum(m => m.OutputTokens ?? 0));
        return new ExperimentDetails(e.Id, e.Name, e.Engine, e.Status, e.Error, cards, e.PromptParagraph, e.CreatedUtc, e.CompletedUtc, e.RerunOf,
            shown, stages, revisions, messages, usage, e.DatasetFile, e.Version, e.Notes, e.Pinned, e.ImportedFrom, ExperimentTags.FromStored(e.Tags),
            new Access.Ownership(e.OwnerId, e.Shared, await OwnerNameAsync(db, e.OwnerId, cancellationToken)));
    }

    /// <summary>
    /// Starts a new revision from <paramref name="parent"/>: the stages in <paramref name="keep"/> are copied unchanged,
    /// the others will be produced by the new run. The parent revision stays as it was.
    /// </summary>
    /// <param name="basedOnVersion">
    /// The experiment version the user was looking at; when another session has changed the experiment since, nothing is
    /// written and <see cref="EditConflictException"/> is thrown (null skips the check: "save as new revision anyway").
    /// </param>
    public async Task<int> CreateRevisionAsync(Guid experimentId, int parent, string reason, string engine, string? followUp,
        IReadOnlyCollection<StageKind> keep, int? basedOnVersion = null, IReadOnlyDictionary<string, string>? engineSettings = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var experiment = await db.Experiments.SingleAsync(e => e.Id == experimentId, cancellationToken);
        CheckVersion(experiment, basedOnVersion);
        var number = await db.Revisions.Where(r => r.ExperimentId == experimentId).MaxAsync(r => (int?)r.Number, cancellationToken) ?? 0;
        number++;
        db.Revisions.Add(new RevisionEntity
        {
            ExperimentId = experimentId, Number = number, ParentNumber = parent, Reason = Truncate(reason, 500)!, FollowUp = followUp,
            Engine = engine, Status = RunStatus.Running, CreatedUtc = now, HeartbeatUtc = now, EngineSettingsJson = SettingsJson(engineSettings),
        });
        var copied = await db.Stages.AsNoTracking()
            .Where(s => s.ExperimentId == experimentId && s.Revision == parent && keep.Contains(s.Stage) && s.Status == RunStatus.Succeeded)
            .ToListAsync(cancellationToken);
        foreach (var s in copied)
        {
            s.Id = 0;
            s.Revision = number;
            s.InputTokens = null; // the tokens were spent by the parent revision; don't count them twice
            s.OutputTokens = null;
            db.Stages.Add(s);
        }
        experiment.LatestRevision = number;
        experiment.Status = RunStatus.Running;
        experiment.Error = null;
        experiment.CompletedUtc = null;
        experiment.UpdatedUtc = now;
        experiment.Version++;
        await SaveVersionedAsync(db, basedOnVersion, cancellationToken);
        return number;
    }

    public async Task<long> AddMessageAsync(Guid experimentId, string role, string content, RunStatus status, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = new ChatMessageEntity { ExperimentId = experimentId, Role = role, Content = content, Status = status, CreatedUtc = now, HeartbeatUtc = now };
        db.Messages.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return row.Id;
    }

    public async Task UpdateMessageAsync(long messageId, string content, RunStatus status, int? revision, TokenUsage? usage,
        CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.Messages.SingleAsync(m => m.Id == messageId, cancellationToken);
        row.Content = content;
        row.Status = status;
        row.HeartbeatUtc = clock.GetUtcNow().UtcDateTime;
        row.Revision = revision;
        row.InputTokens = usage?.Input;
        row.OutputTokens = usage?.Output;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The engines experiments were run with, for the History filter (one query, not the rows).</summary>
    public async Task<IReadOnlyList<string>> EnginesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var engines = await db.Experiments.Select(e => e.Engine).Distinct().ToListAsync(cancellationToken);
        return engines.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Saves an imported experiment with its training jobs in one transaction: all of it or nothing.</summary>
    public async Task ImportAsync(ExperimentEntity experiment, IReadOnlyCollection<TrainingJobEntity> jobs, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.Experiments.Add(experiment);
        db.TrainingJobs.AddRange(jobs);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.WriteAsync(ct => db.Experiments.Where(e => e.Id == id).ExecuteDeleteAsync(ct), cancellationToken) > 0;
    }

    /// <summary>Refreshes the heartbeat of the running <paramref name="revisions"/> and of the streaming replies <paramref name="messageIds"/>.</summary>
    public async Task BeatAsync(IReadOnlyCollection<(Guid ExperimentId, int Revision)> revisions, IReadOnlyCollection<long> messageIds, DateTime now,
        CancellationToken cancellationToken = default)
    {
        if (revisions.Count == 0 && messageIds.Count == 0) return;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var ids = revisions.Select(r => r.ExperimentId).Distinct().ToList();
        foreach (var row in (await db.Revisions.Where(r => ids.Contains(r.ExperimentId) && r.Status == RunStatus.Running).ToListAsync(cancellationToken))
                     .Where(r => revisions.Contains((r.ExperimentId, r.Number))))
            row.HeartbeatUtc = now;
        foreach (var row in await db.Messages.Where(m => messageIds.Contains(m.Id) && m.Status == RunStatus.Running).ToListAsync(cancellationToken))
            row.HeartbeatUtc = now;
        await db.SaveChangesAsync(cancellationToken); // one write for all of this process's live runs
    }

    /// <summary>
    /// Runs whose heartbeat is older than <paramref name="staleBefore"/> can never finish (their process is gone): their
    /// revision, running stages, experiment and streaming replies become interrupted, in one save, keeping their output.
    /// </summary>
    public async Task<int> InterruptStaleRunsAsync(DateTime staleBefore, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var revisions = await db.Revisions.Where(r => r.Status == RunStatus.Running && (r.HeartbeatUtc == null || r.HeartbeatUtc < staleBefore)).ToListAsync(cancellationToken);
        var messages = await db.Messages.Where(m => m.Status == RunStatus.Running && (m.HeartbeatUtc == null || m.HeartbeatUtc < staleBefore)).ToListAsync(cancellationToken);
        if (revisions.Count == 0 && messages.Count == 0) return 0;
        var stale = revisions.Select(r => (r.ExperimentId, r.Number)).ToHashSet();
        var ids = stale.Select(k => k.ExperimentId).Distinct().ToList();
        foreach (var r in revisions) r.Status = RunStatus.Interrupted;
        foreach (var stage in (await db.Stages.Where(s => ids.Contains(s.ExperimentId) && s.Status == RunStatus.Running).ToListAsync(cancellationToken))
                     .Where(s => stale.Contains((s.ExperimentId, s.Revision))))
        {
            stage.Status = RunStatus.Interrupted;
            stage.CompletedUtc = now;
        }
        var experiments = (await db.Experiments.Where(e => ids.Contains(e.Id) && e.Status == RunStatus.Running).ToListAsync(cancellationToken))
            .Where(e => stale.Contains((e.Id, e.LatestRevision))).ToList();
        foreach (var e in experiments)
        {
            e.Status = RunStatus.Interrupted;
            e.Error = "The app stopped while this experiment was running; the output saved up to then is kept.";
            e.UpdatedUtc = now;
        }
        foreach (var m in messages) m.Status = RunStatus.Interrupted;
        await db.SaveChangesAsync(cancellationToken);
        return experiments.Count + messages.Count;
    }

    private static SavedStage ToSaved(StageEntity s)
    {
        var output = s.StructuredJson is { } json
            ? JsonSerializer.Deserialize<StageOutput>(json, Json) ?? new StageOutput(s.Stage, s.Text)
            : new StageOutput(s.Stage, s.Text);
        return new SavedStage(s.Stage, s.Revision, s.Status, output with { Text = s.Text, Usage = Usage(s.InputTokens, s.OutputTokens) }, s.Error, s.StartedUtc, s.CompletedUtc);
    }

    private static string? SettingsJson(IReadOnlyDictionary<string, string>? settings) =>
        settings is null || settings.Count == 0 ? null : JsonSerializer.Serialize(settings, Json);

    private static TokenUsage? Usage(long? input, long? output) => input is null && output is null ? null : new TokenUsage(input ?? 0, output ?? 0);

    private static string? Truncate(string? s, int max = 4000) => s is not null && s.Length > max ? s[..(max - 1)] + "…" : s;
}

/// <summary>Thrown when cards that break the rules reach the store; the form shows these messages per field.</summary>
public sealed class CardValidationException(IReadOnlyList<FieldError> errors)
    : Exception("The cards are not valid: " + string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
