using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Core.Library;

/// <summary>A card in the library: saved by a user, or built in (the paper's data cards, the catalogue's model cards).</summary>
public sealed record LibraryCard(
    Guid Id, CardKind Kind, string Name, string Summary, string Origin, bool BuiltIn, int Version, DateTime UpdatedUtc,
    DataCard? Data, ModelCard? Model, string? OwnerId = null, bool Shared = false)
{
    /// <summary>Who may read and change it (built-in cards are everyone's and nobody edits them).</summary>
    public Access.Ownership Owner => new(OwnerId, Shared || BuiltIn);
}

/// <summary>
/// Saved data and model cards, reusable in new experiments. Built-in cards are always present and read-only;
/// "duplicate" makes an editable copy. Edits name the version they started from, so a concurrent edit is a conflict.
/// </summary>
public sealed class CardLibrary(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<LibraryCard> BuiltIn { get; } =
    [
        .. PaperExamples.All.Select(e => Describe(StableId("data:" + e.Key), CardKind.Data, $"paper example · {e.Title}", true, 1, DateTime.UnixEpoch, e.Create().Data, null)),
        .. ModelCatalogue.All.Select(f => Describe(StableId("model:" + f.Key), CardKind.Model, $"built-in catalogue · {f.Source}", true, 1, DateTime.UnixEpoch, null,
            new ModelCard { Name = f.DisplayName, Structure = f.DefaultStructure, Description = f.DefaultDescription, Parameters = f.DefaultArchitecture.Select(p => new CardParameter(p.Key, p.Value)).ToList() })),
    ];

    /// <param name="viewer">Lists only the cards this account may read (its own, shared and ownerless ones); all when null.</param>
    public async Task<IReadOnlyList<LibraryCard>> ListAsync(CardKind? kind = null, string? search = null, Access.Viewer? viewer = null,
        CancellationToken cancellationToken = default)
    {
        var s = search?.Trim().ToLowerInvariant() ?? "";
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var query = db.LibraryCards.AsNoTracking();
        if (viewer is { SeesEverything: false })
        {
            var user = viewer.UserId;
            query = query.Where(c => c.OwnerId == null || c.Shared || c.OwnerId == user);
        }
        if (kind is { } k) query = query.Where(c => c.Kind == k);
        if (s.Length > 0) query = query.Where(c => c.SearchText.Contains(s));
        var saved = (await query.OrderByDescending(c => c.UpdatedUtc).Take(500).ToListAsync(cancellationToken)).Select(ToCard);
        var builtIn = BuiltIn.Where(c => (kind is null || c.Kind == kind) && (s.Length == 0 || SearchText(c.Data, c.Model).Contains(s, StringComparison.Ordinal)));
        return [.. saved, .. builtIn];
    }

    public async Task<LibraryCard?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        if (BuiltIn.FirstOrDefault(c => c.Id == id) is { } builtIn) return builtIn;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.LibraryCards.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        return row is null ? null : ToCard(row);
    }

    public Task<LibraryCard> SaveAsync(DataCard card, string origin, string? ownerId = null, CancellationToken cancellationToken = default) =>
        AddAsync(CardKind.Data, card.Name, JsonSerializer.Serialize(card, Json), SearchText(card, null), CardValidator.Validate(card), origin, ownerId, cancellationToken);

    public Task<LibraryCard> SaveAsync(ModelCard card, string origin, string? ownerId = null, CancellationToken cancellationToken = default) =>
        AddAsync(CardKind.Model, card.Name, JsonSerializer.Serialize(card, Json), SearchText(null, card), CardValidator.Validate(card), origin, ownerId, cancellationToken);

    /// <summary>Shares the card with every account (they use and duplicate it, only the owner edits it) or makes it private.</summary>
    public async Task SetSharedAsync(Guid id, bool shared, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.WriteAsync(ct => db.LibraryCards.Where(c => c.Id == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.Shared, shared), ct), cancellationToken);
    }

    /// <summary>An editable copy of any card, built-in ones included.</summary>
    /// <param name="ownerId">Who duplicates it: the copy is theirs.</param>
    public async Task<LibraryCard> DuplicateAsync(Guid id, string? ownerId = null, CancellationToken cancellationToken = default)
    {
        var card = await GetAsync(id, cancellationToken) ?? throw new KeyNotFoundException("That card is no longer in the library.");
        var origin = $"duplicate of {card.Name}";
        if (card.Data is { } d) { var copy = d.Clone(); copy.Name = CopyName(copy.Name); return await SaveAsync(copy, origin, ownerId, cancellationToken: cancellationToken); }
        var m = card.Model!.Clone();
        m.Name = CopyName(m.Name);
        return await SaveAsync(m, origin, ownerId, cancellationToken: cancellationToken);
    }

    /// <summary>Saves an edit made from <paramref name="basedOnVersion"/>; another edit in between is a conflict, never overwritten.</summary>
    public async Task<LibraryCard> UpdateAsync(Guid id, int basedOnVersion, DataCard? data, ModelCard? model, CancellationToken cancellationToken = default)
    {
        if (BuiltIn.Any(c => c.Id == id)) throw new InvalidOperationException("Built-in cards are read-only; duplicate it to edit.");
        var errors = data is not null ? CardValidator.Validate(data) : CardValidator.Validate(model!);
        if (errors.Count > 0) throw new CardValidationException(errors);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var row = await db.LibraryCards.SingleOrDefaultAsync(c => c.Id == id, cancellationToken)
                  ?? throw new EditConflictException("This card was deleted in another session. Save it as a new card instead.", 0);
        if (row.Version != basedOnVersion)
            throw new EditConflictException($"This card was changed in another session (version {row.Version}, yours was based on {basedOnVersion}).", row.Version);
        row.Name = (data?.Name ?? model!.Name).Trim();
        row.CardJson = data is not null ? JsonSerializer.Serialize(data, Json) : JsonSerializer.Serialize(model, Json);
        row.SearchText = SearchText(data, model);
        row.Version++;
        row.UpdatedUtc = clock.GetUtcNow().UtcDateTime;
        try { await db.SaveChangesAsync(cancellationToken); }
        catch (DbUpdateConcurrencyException)
        {
            throw new EditConflictException("This card was changed in another session at the same moment.", basedOnVersion + 1);
        }
        return ToCard(row);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.WriteAsync(ct => db.LibraryCards.Where(c => c.Id == id).ExecuteDeleteAsync(ct), cancellationToken) > 0;
    }

    private async Task<LibraryCard> AddAsync(CardKind kind, string name, string json, string search, IReadOnlyList<FieldError> errors, string origin,
        string? ownerId, CancellationToken cancellationToken)
    {
        if (errors.Count > 0) throw new CardValidationException(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var row = new LibraryCardEntity
        {
            Id = Guid.CreateVersion7(), Kind = kind, Name = name.Trim(), CardJson = json, SearchText = search,
            Origin = origin.Length > 300 ? origin[..299] + "…" : origin, CreatedUtc = now, UpdatedUtc = now, OwnerId = ownerId,
        };
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.LibraryCards.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return ToCard(row);
    }

    private static LibraryCard ToCard(LibraryCardEntity row) => (row.Kind == CardKind.Data
        ? Describe(row.Id, row.Kind, row.Origin, false, row.Version, row.UpdatedUtc, JsonSerializer.Deserialize<DataCard>(row.CardJson, Json), null)
        : Describe(row.Id, row.Kind, row.Origin, false, row.Version, row.UpdatedUtc, null, JsonSerializer.Deserialize<ModelCard>(row.CardJson, Json)))
        with { OwnerId = row.OwnerId, Shared = row.Shared };

    private static LibraryCard Describe(Guid id, CardKind kind, string origin, bool builtIn, int version, DateTime updated, DataCard? data, ModelCard? model) =>
        new(id, kind, data?.Name ?? model!.Name, data is not null ? Summary(data) : model!.Structure, origin, builtIn, version, updated, data, model);

    public static string Summary(DataCard d) =>
        $"{d.Modality.ToString().ToLowerInvariant()} · {TaskDefaults.Display(d.Task)}" + (d.Samples is { } n ? $" · {CardText.Count(n)} samples" : "");

    private static string SearchText(DataCard? d, ModelCard? m) => (d is not null
        ? $"{d.Name} {d.Modality} {TaskDefaults.Display(d.Task)} {d.LabelSpace} {d.Metrics} {d.Description}"
        : $"{m!.Name} {m.Structure} {m.Description} {string.Join(' ', m.Parameters.Select(p => p.Key))}").ToLowerInvariant();

    private static string CopyName(string name) => name.Length > CardValidator.NameMax - 7 ? name[..(CardValidator.NameMax - 7)] + " (copy)" : name + " (copy)";

    private static Guid StableId(string key) => new(MD5.HashData(Encoding.UTF8.GetBytes("automl-gpt builtin card " + key)));
}
