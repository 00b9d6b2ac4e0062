using System.Diagnostics;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Experiments;

/// <summary>
/// Does once, in the background after start, what the first run would otherwise pay for on the user's click: the
/// store's queries, the knowledge index, the offline engine's code paths for every paper example (in memory, with no
/// delays), and one whole saved run, made in a throw-away SQLite file so the create/checkpoint/finish path is compiled.
/// Nothing is written to the app's own database.
/// </summary>
public sealed class StartupWarmup(ExperimentStore store, KnowledgeBase knowledge, IEnumerable<IWarmup> hostWarmups, RunOptions options, TimeProvider clock, ILogger<StartupWarmup> logger) : BackgroundService
{
    /// <summary>Where the throw-away database goes (the system's temp folder; a test gives its own to count what is left).</summary>
    internal string ScratchFolder { get; init; } = Path.GetTempPath();

    private async Task SavedRunAsync(IExperimentEngine engine, CancellationToken cancellationToken)
    {
        var file = Path.Combine(ScratchFolder, $"automlgpt-warmup-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options;
            var factory = new ThrowAwayFactory(options);
            await using (var db = factory.CreateDbContext()) await db.Database.MigrateAsync(cancellationToken);
            var scratch = new ExperimentStore(factory, clock);
            var runner = new ExperimentRunner(scratch, new LiveRuns(), clock, NullLogger<ExperimentRunner>.Instance);
            var plan = await runner.PlanFirstRunAsync(PaperExamples.Adult.Create(), engine, cancellationToken: cancellationToken);
            await foreach (var _ in runner.RunAsync(plan, cancellationToken)) { }
            await scratch.GetAsync(plan.ExperimentId, cancellationToken: cancellationToken);
        }
        finally
        {
            foreach (var f in new[] { file, file + "-wal", file + "-shm", file + "-journal" })
                try { File.Delete(f); } catch (IOException) { }
        }
    }

    private sealed class ThrowAwayFactory(DbContextOptions<SqliteAppDbContext> options) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => new SqliteAppDbContext(options);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // never delay the host's start
        if (!options.WarmUpAtStart) return;
        var watch = Stopwatch.StartNew();
        try
        {
            await store.GetAsync(Guid.Empty, cancellationToken: stoppingToken);
            await store.ListAsync(cancellationToken: stoppingToken);
            var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 }, knowledge);
            foreach (var example in PaperExamples.All)
                await foreach (var _ in PipelineRunner.RunAsync(engine, example.Create(), stoppingToken)) { }
            await SavedRunAsync(engine, stoppingToken);
            foreach (var warmup in hostWarmups) await warmup.WarmAsync(stoppingToken);
            logger.LogInformation("Warm-up done in {Milliseconds:0} ms: the first run starts as fast as later ones", watch.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Warm-up failed; the first run may start more slowly");
        }
    }
}

/// <summary>Something the host warms at start too (e.g. the web app's stage components and renderers).</summary>
public interface IWarmup
{
    Task WarmAsync(CancellationToken cancellationToken);
}
