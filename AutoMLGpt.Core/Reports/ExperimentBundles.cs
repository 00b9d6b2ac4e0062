using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Cards.HuggingFace;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using Microsoft.EntityFrameworkCore;

namespace AutoMLGpt.Core.Reports;

/// <summary>What <c>manifest.json</c> in a reproducibility bundle holds: everything needed to recreate the experiment.</summary>
public sealed record BundleManifest(
    string Format, int FormatVersion, DateTime ExportedUtc, BundleExperiment Experiment, ExperimentCards Cards,
    IReadOnlyList<BundleRevision> Revisions, IReadOnlyList<BundleMessage> Chat, IReadOnlyList<BundleTraining> Training);

public sealed record BundleExperiment(
    Guid OriginalId, string Name, string Notes, string Engine, string PromptParagraph, RunStatus Status, string? Error,
    int LatestRevision, Guid? RerunOf, DateTime CreatedUtc, DateTime? CompletedUtc)
{
    /// <summary>The experiment's tags (added beside the original fields; older bundles have none).</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}

public sealed record BundleRevision(
    int Number, int? ParentNumber, string Reason, string? FollowUp, string Engine, IReadOnlyDictionary<string, string>? EngineSettings,
    RunStatus Status, DateTime CreatedUtc, IReadOnlyList<BundleStage> Stages);

public sealed record BundleStage(
    StageKind Stage, RunStatus Status, string Text, string? StructuredJson, string? Error, long? InputTokens, long? OutputTokens,
    DateTime StartedUtc, DateTime? CompletedUtc, string File);

public sealed record BundleMessage(string Role, string Content, int? Revision, RunStatus Status, long? InputTokens, long? OutputTokens, DateTime CreatedUtc);

/// <param name="DatasetSha256">SHA-256 of the CSV it trained on, so a re-run can prove it used the same data.</param>
/// <param name="ModelFile">The trained model's entry in the zip (LightGBM text format), if it was kept.</param>
public sealed record BundleTraining(
    Guid OriginalId, int Revision, RunStatus Status, string? Error, string MetricName, double? PredictedFinal, double? RealFinal,
    string ParametersJson, string? ResultJson, string CurveJson, string Log, string? DatasetSha256, long? DatasetBytes, string? ModelFile,
    DateTime CreatedUtc, DateTime? StartedUtc, DateTime? CompletedUtc)
{
    /// <summary>What the job trained (<see cref="TrainingJobs.TrainingModes"/>); absent in bundles from before races.</summary>
    public string? Mode { get; init; }
}

/// <summary>
/// Reproducibility bundles: one zip per experiment with the cards (Hugging Face format), the prompt paragraph, the
/// engine settings (never a key), every revision's stages, the chat, and for trained runs the data hash, trainer
/// parameters, metrics and model; plus a Markdown report. Importing a bundle recreates the experiment in one
/// transaction (nothing half-saved), with new ids.
/// </summary>
public sealed class ExperimentBundles(
    IDbContextFactory<AppDbContext> factory, ExperimentStore store, ExperimentReviews reviews, DataFolders folders, TimeProvider clock, TrainingJobStore jobs)
{
    public const string Format = "automl-gpt-bundle";
    public const long MaxBundleBytes = 256L * 1024 * 1024;
    public const int MaxEntries = 2_000;
    public const long MaxManifestBytes = 32L * 1024 * 1024;
    public const long MaxModelBytes = 200L * 1024 * 1024;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task<bool> ExportAsync(Guid id, Stream output, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var e = await db.Experiments.AsNoTracking().AsSplitQuery().Include(x => x.Stages).Include(x => x.Revisions).Include(x => x.Messages)
            .SingleOrDefaultAsync(x => x.Id == id, cancellationToken);
        if (e is null) return false;
        var trainingRows = await db.TrainingJobs.AsNoTracking().Where(j => j.ExperimentId == id).OrderBy(j => j.CreatedUtc).ToListAsync(cancellationToken);
        var cards = JsonSerializer.Deserialize<ExperimentCards>(e.CardsJson, ExperimentStore.Json)!;

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var revisions = new List<BundleRevision>();
        foreach (var r in e.Revisions.OrderBy(r => r.Number))
        {
            var stages = new List<BundleStage>();
            foreach (var s in e.Stages.Where(s => s.Revision == r.Number).OrderBy(s => s.Stage))
            {
                var file = $"stages/r{r.Number}/{StageFile(s.Stage)}";
                await WriteAsync(zip, file, s.Text, cancellationToken);
                stages.Add(new BundleStage(s.Stage, s.Status, s.Text, s.StructuredJson, s.Error, s.InputTokens, s.OutputTokens, s.StartedUtc, s.CompletedUtc, file));
            }
            revisions.Add(new BundleRevision(r.Number, r.ParentNumber, r.Reason, r.FollowUp, r.Engine,
                r.EngineSettingsJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(r.EngineSettingsJson, ExperimentStore.Json),
                r.Status, r.CreatedUtc, stages));
        }

        var training = new List<BundleTraining>();
        var hashes = new Dictionary<string, (string, long)?>();
        for (var n = 0; n < trainingRows.Count; n++)
        {
            var j = trainingRows[n];
            var folder = $"training/{n + 1}";
            if (!hashes.TryGetValue(j.DatasetFile, out var hash)) hashes[j.DatasetFile] = hash = await HashDatasetAsync(j.DatasetFile, cancellationToken);
            string? modelEntry = null;
            if (await jobs.ModelTextAsync(j, folders, cancellationToken) is { } model)
            {
                modelEntry = $"{folder}/model.txt";
                await WriteAsync(zip, modelEntry, model, cancellationToken);
            }
            await WriteAsync(zip, $"{folder}/log.txt", j.Log, cancellationToken);
            await WriteAsync(zip, $"{folder}/parameters.json", j.ParametersJson, cancellationToken);
            if (j.ResultJson is not null) await WriteAsync(zip, $"{folder}/metrics.json", j.ResultJson, cancellationToken);
            training.Add(new BundleTraining(j.Id, j.Revision, j.Status, j.Error, j.MetricName, j.PredictedFinal, j.RealFinal, j.ParametersJson,
                j.ResultJson, j.CurveJson, j.Log, hash?.Item1, hash?.Item2, modelEntry, j.CreatedUtc, j.StartedUtc, j.CompletedUtc) { Mode = j.Mode });
        }

        var manifest = new BundleManifest(Format, 1, clock.GetUtcNow().UtcDateTime,
            new BundleExperiment(e.Id, e.Name, e.Notes, e.Engine, e.PromptParagraph, e.Status, e.Error, e.LatestRevision, e.RerunOf, e.CreatedUtc, e.CompletedUtc)
            {
                Tags = ExperimentTags.FromStored(e.Tags),
            },
            cards, revisions,
            e.Messages.OrderBy(m => m.CreatedUtc).ThenBy(m => m.Id).Select(m => new BundleMessage(m.Role, m.Content, m.Revision, m.Status, m.InputTokens, m.OutputTokens, m.CreatedUtc)).ToList(),
            training);
        await WriteAsync(zip, "manifest.json", JsonSerializer.Serialize(manifest, Json), cancellationToken);
        await WriteAsync(zip, "cards/dataset-card.md", HuggingFaceCards.ExportDataCard(cards.Data), cancellationToken);
        var latest = await reviews.ReviewAsync(id, null, cancellationToken);
        var results = latest?.LatestTrained?.Result?.Test.Named().ToList();
        await WriteAsync(zip, "cards/model-card.md", HuggingFaceCards.ExportModelCard(cards.Model, cards.Data, cards.Request, results), cancellationToken);
        await WriteAsync(zip, "prompt.txt", e.PromptParagraph, cancellationToken);
        if (manifest.Chat.Count > 0)
            await WriteAsync(zip, "chat.md", string.Join("\n\n", manifest.Chat.Select(m => $"**{m.Role}**{(m.Revision is { } rv ? $" (revision {rv})" : "")}: {m.Content}")), cancellationToken);
        if (latest is not null)
        {
            var charts = new Dictionary<string, string>();
            var report = ExperimentReport.Build(latest, (name, svg) => { charts[name] = svg; return "charts/" + name; });
            await WriteAsync(zip, "report.md", report, cancellationToken);
            foreach (var (name, svg) in charts) await WriteAsync(zip, "charts/" + name, svg, cancellationToken);
        }
        if (latest is not null)
        {
            // The runnable project of the latest revision: the scripts a practitioner runs (never run on import).
            var project = Projects.ProjectExports.For(latest.Details);
            foreach (var (name, text) in project.Files) await WriteAsync(zip, "project/" + name, text, cancellationToken);
            await WriteAsync(zip, "project/experiment.ipynb", Projects.RunnableProject.Notebook(latest.Details.Cards, latest.Details.PromptParagraph, project), cancellationToken);
        }
        await WriteAsync(zip, "README.txt", Readme, cancellationToken);
        return true;
    }

    private const string Readme =
        "AutoML-GPT reproducibility bundle\n\n" +
        "manifest.json            everything needed to recreate the experiment (import it on the History page)\n" +
        "cards/*.md               the data and model cards in Hugging Face card format (automl_gpt: keeps hyperparameters)\n" +
        "prompt.txt               the prompt paragraph the stages were given\n" +
        "stages/rN/               each revision's stage outputs (scripts are for reading; nothing here is run on import)\n" +
        "training/N/              real training runs: log, trainer parameters, metrics, model (LightGBM text format)\n" +
        "report.md, charts/       a readable report with the curves\n" +
        "project/                 the runnable project: data.py, train.py, requirements.txt, README.md, experiment.ipynb\n\n" +
        "The engine settings name the provider, model, endpoint, temperature and seed; API keys are never exported.\n";

    /// <summary>Recreates an experiment from a bundle; returns its new id. Throws <see cref="InvalidDataException"/> with what is wrong.</summary>
    /// <param name="ownerId">The importing account when sign-in is on: the imported experiment is theirs, private.</param>
    public async Task<Guid> ImportAsync(Stream input, string fileName, string? ownerId = null, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await CopyCappedAsync(input, buffer, MaxBundleBytes, $"The bundle is larger than {MaxBundleBytes / 1048576} MB.", cancellationToken);
        buffer.Position = 0;
        ZipArchive zip;
        try { zip = new ZipArchive(buffer, ZipArchiveMode.Read); }
        catch (InvalidDataException) { throw new InvalidDataException($"{Display(fileName)} is not a zip file. Export a bundle from an experiment's page and import that."); }
        using (zip)
        {
            if (zip.Entries.Count > MaxEntries) throw new InvalidDataException($"The bundle has {zip.Entries.Count:N0} files; at most {MaxEntries:N0}.");
            var manifestEntry = zip.GetEntry("manifest.json") ?? throw new InvalidDataException("The zip has no manifest.json; it is not an AutoML-GPT bundle.");
            BundleManifest manifest;
            try
            {
                manifest = JsonSerializer.Deserialize<BundleManifest>(await ReadTextAsync(manifestEntry, MaxManifestBytes, cancellationToken), Json)
                           ?? throw new InvalidDataException("manifest.json is empty.");
            }
            catch (JsonException ex) { throw new InvalidDataException($"manifest.json is not valid: {ex.Message}"); }
            Check(manifest);

            // Models go into the database with the experiment, in one save: a failed import leaves nothing behind.
            var entity = await BuildEntityAsync(manifest, zip, fileName, cancellationToken);
            entity.Experiment.OwnerId = ownerId;
            await store.ImportAsync(entity.Experiment, entity.Jobs, cancellationToken);
            return entity.Experiment.Id;
        }
    }

    private static void Check(BundleManifest m)
    {
        if (m.Format != Format) throw new InvalidDataException($"manifest.json says format \"{m.Format}\"; this app reads \"{Format}\".");
        if (m.FormatVersion != 1) throw new InvalidDataException($"The bundle is format version {m.FormatVersion}; this app reads version 1.");
        if (m.Experiment is null || m.Cards?.Data is null || m.Cards.Model is null || m.Cards.Request is null) throw new InvalidDataException("manifest.json lacks the experiment or its cards.");
        var errors = CardValidator.Validate(m.Cards);
        if (errors.Count > 0) throw new InvalidDataException("The bundle's cards are not valid: " + string.Join(" ", errors.Select(e => $"{e.Field}: {e.Message}")));
        if (m.Revisions is not { Count: > 0 }) throw new InvalidDataException("The bundle has no revisions.");
        if (m.Revisions.Select(r => r.Number).Distinct().Count() != m.Revisions.Count || m.Revisions.Any(r => r.Number < 1))
            throw new InvalidDataException("The bundle's revision numbers are not unique positive numbers.");
        if (m.Revisions.Any(r => r.Stages is null || r.Stages.Select(s => s.Stage).Distinct().Count() != r.Stages.Count))
            throw new InvalidDataException("A revision in the bundle lists a stage twice.");
    }

    private async Task<(ExperimentEntity Experiment, List<TrainingJobEntity> Jobs)> BuildEntityAsync(
        BundleManifest m, ZipArchive zip, string fileName, CancellationToken cancellationToken)
    {
        // A run that was going when the bundle was made cannot be going here.
        static RunStatus Settled(RunStatus s) => s is RunStatus.Running or RunStatus.Queued ? RunStatus.Interrupted : s;
        var now = clock.GetUtcNow().UtcDateTime;
        var x = m.Experiment;
        var e = new ExperimentEntity
        {
            Id = Guid.CreateVersion7(), Name = Cap(x.Name, 420), DatasetName = m.Cards.Data.Name.Trim(), ModelName = m.Cards.Model.Name.Trim(),
            Engine = Cap(x.Engine, 200), Status = Settled(x.Status), Error = x.Error is null ? null : Cap(x.Error, 4000),
            CardsJson = JsonSerializer.Serialize(m.Cards, ExperimentStore.Json), PromptParagraph = PromptParagraph.Compose(m.Cards),
            CreatedUtc = x.CreatedUtc, UpdatedUtc = now, CompletedUtc = x.CompletedUtc, LatestRevision = m.Revisions.Max(r => r.Number),
            Notes = Cap(x.Notes ?? "", 8000),
            Tags = ImportTags(x.Tags),
            ImportedFrom = Cap($"bundle {Display(fileName)}, exported {m.ExportedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC", 500),
        };
        foreach (var r in m.Revisions)
        {
            e.Revisions.Add(new RevisionEntity
            {
                Number = r.Number, ParentNumber = r.ParentNumber, Reason = Cap(r.Reason ?? "", 500), FollowUp = r.FollowUp, Engine = Cap(r.Engine ?? "", 200),
                EngineSettingsJson = r.EngineSettings is { Count: > 0 } settings ? Cap(JsonSerializer.Serialize(settings, ExperimentStore.Json), 2000) : null,
                Status = Settled(r.Status), CreatedUtc = r.CreatedUtc,
            });
            foreach (var s in r.Stages)
            {
                var stage = new StageEntity
                {
                    Revision = r.Number, Stage = s.Stage, Status = Settled(s.Status), Text = s.Text ?? "",
                    Error = s.Error is null ? null : Cap(s.Error, 4000), InputTokens = s.InputTokens, OutputTokens = s.OutputTokens,
                    StartedUtc = s.StartedUtc, CompletedUtc = s.CompletedUtc,
                };
                stage.SetStructured(s.StructuredJson, CheckedStructure(s.StructuredJson)?.Curve);
                e.Stages.Add(stage);
            }
        }
        foreach (var c in m.Chat ?? [])
            e.Messages.Add(new ChatMessageEntity
            {
                Role = c.Role is "user" or "assistant" ? c.Role : throw new InvalidDataException($"A chat message has role \"{c.Role}\"."),
                Content = c.Content ?? "", Revision = c.Revision, Status = Settled(c.Status), InputTokens = c.InputTokens, OutputTokens = c.OutputTokens, CreatedUtc = c.CreatedUtc,
            });

        var trainingJobs = new List<TrainingJobEntity>();
        foreach (var t in m.Training ?? [])
        {
            string? modelFile = null, modelText = null;
            var jobId = Guid.CreateVersion7();
            if (t.ModelFile is { } entryName)
            {
                var entry = zip.GetEntry(entryName) ?? throw new InvalidDataException($"The manifest names {entryName}, which is not in the zip.");
                modelFile = $"{jobId:N}.txt";
                modelText = await ReadTextAsync(entry, MaxModelBytes, cancellationToken);
            }
            trainingJobs.Add(new TrainingJobEntity
            {
                Id = jobId, Model = modelText is null ? null : new TrainingModelEntity { JobId = jobId, Text = modelText }, ExperimentId = e.Id, Revision = t.Revision, DatasetFile = "", Status = Settled(t.Status), Error = t.Error,
                Log = t.Log ?? "", CurveJson = t.CurveJson ?? "[]", ResultJson = t.ResultJson, ParametersJson = t.ParametersJson ?? "{}", ModelFile = modelFile,
                MetricName = t.MetricName ?? "", PredictedFinal = t.PredictedFinal, RealFinal = t.RealFinal,
                CreatedUtc = t.CreatedUtc, StartedUtc = t.StartedUtc, CompletedUtc = t.CompletedUtc,
                Mode = t.Mode is { } mode && TrainingJobs.TrainingModes.IsKnown(mode) ? mode : TrainingJobs.TrainingModes.Recommended,
            });
        }
        return (e, trainingJobs);
    }

    private static StageOutput? CheckedStructure(string? json)
    {
        if (json is null) return null;
        try { return JsonSerializer.Deserialize<StageOutput>(json, ExperimentStore.Json); }
        catch (JsonException) { throw new InvalidDataException("A stage's structured output in the bundle is not valid."); }
    }

    private async Task<(string, long)?> HashDatasetAsync(string file, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(file)) return null;
        string path;
        try { path = folders.DatasetPath(file); } catch (ArgumentException) { return null; }
        if (!File.Exists(path)) return null;
        await using var stream = File.OpenRead(path);
        return (Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken)), stream.Length);
    }

    private static async Task WriteAsync(ZipArchive zip, string name, string text, CancellationToken cancellationToken)
    {
        await using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    private static async Task<string> ReadTextAsync(ZipArchiveEntry entry, long max, CancellationToken cancellationToken)
    {
        await using var source = entry.Open();
        using var target = new MemoryStream();
        await CopyCappedAsync(source, target, max, $"{entry.FullName} is larger than {max / 1048576} MB.", cancellationToken);
        return Encoding.UTF8.GetString(target.ToArray());
    }

    /// <summary>Copies at most <paramref name="max"/> bytes; counting what is read (not what headers claim) stops zip bombs.</summary>
    private static async Task CopyCappedAsync(Stream source, Stream target, long max, string tooLarge, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > max) throw new InvalidDataException(tooLarge);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    private static string StageFile(StageKind s) => s switch
    {
        StageKind.DataProcessing => "A-data-processing.py",
        StageKind.ModelArchitecture => "B-model-architecture.md",
        StageKind.Hyperparameters => "C-hyperparameters.md",
        _ => "D-predicted-training-log.txt",
    };

    /// <summary>A user's file name as text to show: no path, no control characters, bounded.</summary>
    private static string Display(string fileName) => CardText.SafeFileName(fileName, "bundle.zip", 120);

    // Tags from a bundle pass the same rules as typed ones; a bundle with bad tags keeps the valid ones.
    private static string ImportTags(IReadOnlyList<string>? tags)
    {
        var kept = new List<string>();
        foreach (var tag in (tags ?? []).Take(ExperimentTags.MaxTags))
            try { kept.AddRange(ExperimentTags.Normalise([tag])); } catch (CardValidationException) { }
        return ExperimentTags.ToStored(kept.Distinct().ToList());
    }

    private static string Cap(string s, int max) => s.Length > max ? s[..(max - 1)] + "…" : s;
}
