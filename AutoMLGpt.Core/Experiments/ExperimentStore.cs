using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Pipeline;
using Microsoft.EntityFrameworkCore;

namespace AutoMLGpt.Core.Experiments;

/// <summary>A row of the history list.</summary>
public sealed record ExperimentSummary(
    Guid Id, string Name, string DatasetName, string ModelName, string Engine, RunStatus Status,
    DateTime CreatedUtc, DateTime? CompletedUtc, int StagesDone);

/// <summary>One stage as saved.</summary>
public sealed record SavedStage(StageKind Stage, int Revision, RunStatus Status, StageOutput Output, string? Error, DateTime StartedUtc, DateTime? CompletedUtc);

/// <summary>A saved experiment with its cards and the stages of its latest revision.</summary>
public sealed record ExperimentDetails(
    Guid Id, string Name, string Engine, RunStatus Status, string? Error, ExperimentCards Cards, string PromptParagraph,
    DateTime CreatedUtc, DateTime? CompletedUtc, Guid? RerunOf, IReadOnlyList<SavedStage> Stages)
{
    public SavedStage? Stage(StageKind kind) => Stages.FirstOrDefault(s => s.Stage == kind);
}

/// <summary>
/// Saves and reads experiments. One DbContext per operation (a Blazor circuit lives long and a DbContext is not thread-safe).
/// </summary>
public sealed class ExperimentStore(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Guid> CreateAsync(ExperimentCards cards, string engine, Guid? rerunOf = null, CancellationToken cancellationToken = default)
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
        };
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.Experiments.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return entity.Id;
    }

    /// <summary>Inserts or updates one stage of one revision; called as a stage starts, checkpoints and ends.</summary>
    public async Task SaveStageAsync(Guid experimentId, int revision, StageKind stage, RunStatus status, StageOutput output, string? error, CancellationToken cancellationToken = default)
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
        row.StructuredJson = output.Hyperparameters is not null || output.Curve is not null ? JsonSerializer.Serialize(output with { Text = "" }, Json) : null; // text lives in its own column
        row.Error = Truncate(error);
        row.CompletedUtc = status is RunStatus.Running ? null : now;
        var experiment = await db.Experiments.SingleAsync(e => e.Id == experimentId, cancellationToken);
        experiment.UpdatedUtc = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task FinishAsync(Guid experimentId, RunStatus status, string? error, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var experiment = await db.Experiments.SingleAsync(e => e.Id == experimentId, cancellationToken);
        experiment.Status = status;
        experiment.Error = Truncate(error);
        experiment.UpdatedUtc = now;
        experiment.CompletedUtc = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Newest first; <paramref name="search"/> matches the dataset, model, engine or name.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListAsync(string? search = null, int take = 200, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var query = db.Experiments.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim();
            query = query.Where(e => e.Name.Contains(s) || e.DatasetName.Contains(s) || e.ModelName.Contains(s) || e.Engine.Contains(s));
        }
        return await query
            .OrderByDescending(e => e.CreatedUtc)
            .Take(take)
            .Select(e => new ExperimentSummary(e.Id, e.Name, e.DatasetName, e.ModelName, e.Engine, e.Status, e.CreatedUtc, e.CompletedUtc,
                e.Stages.Count(s => s.Status == RunStatus.Succeeded)))
            .ToListAsync(cancellationToken);
    }

    public async Task<ExperimentDetails?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var e = await db.Experiments.AsNoTracking().Include(x => x.Stages).SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (e is null) return null;
        var latest = e.Stages.Count == 0 ? 1 : e.Stages.Max(s => s.Revision);
        var stages = e.Stages.Where(s => s.Revision == latest).OrderBy(s => s.Stage).Select(ToSaved).ToList();
        var cards = JsonSerializer.Deserialize<ExperimentCards>(e.CardsJson, Json) ?? throw new InvalidDataException($"Experiment {id} has unreadable cards.");
        return new ExperimentDetails(e.Id, e.Name, e.Engine, e.Status, e.Error, cards, e.PromptParagraph, e.CreatedUtc, e.CompletedUtc, e.RerunOf, stages);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Experiments.Where(e => e.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>At start-up: runs left "running" by a previous process can never finish; mark them interrupted, keeping their output.</summary>
    public async Task<int> MarkAbandonedRunsInterruptedAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Stages.Where(s => s.Status == RunStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, RunStatus.Interrupted).SetProperty(s => s.CompletedUtc, now), cancellationToken);
        return await db.Experiments.Where(e => e.Status == RunStatus.Running)
            .ExecuteUpdateAsync(u => u
                .SetProperty(e => e.Status, RunStatus.Interrupted)
                .SetProperty(e => e.Error, "The app stopped while this experiment was running; the output saved up to then is kept.")
                .SetProperty(e => e.UpdatedUtc, now), cancellationToken);
    }

    private static SavedStage ToSaved(StageEntity s)
    {
        var output = s.StructuredJson is { } json
            ? JsonSerializer.Deserialize<StageOutput>(json, Json) ?? new StageOutput(s.Stage, s.Text)
            : new StageOutput(s.Stage, s.Text);
        return new SavedStage(s.Stage, s.Revision, s.Status, output with { Text = s.Text }, s.Error, s.StartedUtc, s.CompletedUtc);
    }

    private static string? Truncate(string? s) => s is { Length: > 4000 } ? s[..3997] + "…" : s;
}

/// <summary>Thrown when cards that break the rules reach the store; the form shows these messages per field.</summary>
public sealed class CardValidationException(IReadOnlyList<FieldError> errors)
    : Exception("The cards are not valid: " + string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
