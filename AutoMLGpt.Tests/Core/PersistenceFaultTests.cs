using System.Data.Common;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Core;

/// <summary>Plan rows 15, 31, 33 and 34: atomic saves, concurrent saves, a damaged or locked database, nothing that can run code.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class PersistenceFaultTests
{
    /// <summary>Throws on the Nth command that writes, as a disk or network fault in the middle of a save would.</summary>
    private sealed class FailOnCommand(int n) : DbCommandInterceptor
    {
        private int _count;
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("INSERT", StringComparison.OrdinalIgnoreCase) && Interlocked.Increment(ref _count) == n)
                throw new InvalidOperationException($"injected fault on write command {n}");
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AFaultInTheMiddleOfASaveWritesNothing(int failAt)
    {
        await using var db = await TestDatabase.CreateAsync();
        var bundles = db.Services.GetRequiredService<ExperimentBundles>();
        var id = await db.Store.CreateAsync(PaperExamples.Coco.Create(), "offline engine");
        using var bundle = new MemoryStream();
        await bundles.ExportAsync(id, bundle);

        IDbContextFactory<AppDbContext> Faulty() => db.FactoryWith(new FailOnCommand(failAt));
        var clock = TimeProvider.System;

        var create = await Assert.ThrowsAnyAsync<Exception>(() => new ExperimentStore(Faulty(), clock).CreateAsync(PaperExamples.Adult.Create(), "offline engine"));
        Assert.Contains("injected fault", create.ToString());
        bundle.Position = 0;
        var faulty = Faulty();
        var import = await Assert.ThrowsAnyAsync<Exception>(() =>
            new ExperimentBundles(faulty, new ExperimentStore(faulty, clock), new ExperimentReviews(new ExperimentStore(faulty, clock), new TrainingJobStore(faulty, clock)), db.Services.GetRequiredService<DataFolders>(), clock, new TrainingJobStore(faulty, clock))
                .ImportAsync(bundle, "coco.zip"));
        Assert.Contains("injected fault", import.ToString());

        await using var check = await db.Factory.CreateDbContextAsync();
        Assert.Equal(1, await check.Experiments.CountAsync());
        Assert.Equal(1, await check.Revisions.CountAsync());
        Assert.Equal(0, await check.Stages.CountAsync());
    }

    /// <summary>After the first write of a save, holds the save's transaction (and so SQLite's write lock) open for a while.</summary>
    private sealed class HoldWriteLock(TimeSpan hold) : DbCommandInterceptor
    {
        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;
        public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
        {
            if (command.Transaction is not null && Interlocked.Exchange(ref _held, 1) == 0)
            {
                Holding.SetResult();
                await Task.Delay(hold, cancellationToken);
            }
            return result;
        }
    }

    [Fact]
    public async Task AWriterWaitingBehindALongSaveQueuesInsteadOfFailingWithDatabaseLocked()
    {
        // The driver gives up on a busy lock after its timeout (1 s here); the save ahead holds the lock for 3 s.
        await using var db = await TestDatabase.CreateAsync();
        var connection = TestDatabase.ConnectionStringFor(db.Folder) + ";Default Timeout=1";
        var hold = new HoldWriteLock(TimeSpan.FromSeconds(3));
        var slow = new ExperimentStore(TestDatabase.FactoryFor(connection, hold), TimeProvider.System);
        var other = new ExperimentStore(TestDatabase.FactoryFor(connection), TimeProvider.System);

        var first = slow.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        await hold.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await other.CreateAsync(PaperExamples.Coco.Create(), "offline engine"); // threw "database is locked" before writers queued
        await first;

        await using var check = await db.Factory.CreateDbContextAsync();
        Assert.Equal(2, await check.Experiments.CountAsync());
        Assert.NotNull(await check.Experiments.FindAsync(second));
    }

    [Fact]
    public async Task TwoSavesRacingFromTheSameVersionLetExactlyOneThrough()
    {
        await using var db = await TestDatabase.CreateAsync();
        var id = await db.Store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var version = (await db.Store.GetAsync(id))!.Version;
        for (var round = 0; round < 10; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
            {
                try { await db.Store.UpdateNotesAsync(id, version, "name", $"writer {i}"); return true; }
                catch (EditConflictException) { return false; }
            }));
            Assert.Equal(1, results.Count(ok => ok));
            version++;
            Assert.Equal(version, (await db.Store.GetAsync(id))!.Version);
        }
    }

    [Fact]
    public async Task ADamagedDatabaseFileStopsTheStartWithTheFileNamedAndWhatToDo()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-corrupt-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "test.db"), "this is not a database, it is a text file that got in the way " + new string('x', 5000));
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => TestDatabase.CreateAsync(folder));
            Assert.Contains(Path.Combine(folder, "test.db"), ex.Message);
            Assert.Contains("move it aside", ex.Message);
        }
        finally { SqliteConnection.ClearAllPools(); Directory.Delete(folder, true); }
    }

    [Fact]
    public async Task AMigrationLockLeftByAKilledProcessDoesNotHangTheNextStart()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-lock-").FullName;
        try
        {
            await (await TestDatabase.CreateAsync(folder)).CloseAsync();
            await using (var connection = new SqliteConnection(TestDatabase.ConnectionStringFor(folder)))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO \"__EFMigrationsLock\" (\"Id\", \"Timestamp\") VALUES (1, $t)";
                command.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));
                await command.ExecuteNonQueryAsync();
            }
            await using var restarted = await TestDatabase.CreateAsync(folder).WaitAsync(TimeSpan.FromSeconds(30));
            await using var check = await restarted.Factory.CreateDbContextAsync();
            Assert.Equal(0, await check.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM \"__EFMigrationsLock\"").SingleAsync());
        }
        finally { SqliteConnection.ClearAllPools(); Directory.Delete(folder, true); }
    }

    [Fact]
    public void NothingInTheAppCanStartAProcessOrRunGeneratedCode()
    {
        // Processes: the script check starts pyflakes, a parser; the child-worker dispatcher starts this app's own assembly
        // in worker mode, and the local launcher of a distributed job starts it (or the configured worker) in rank mode
        // (checked below). Nothing starts what a model wrote.
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(ExperimentStore).Assembly.Location)!, "..", "..", "..", "..", ".."));
        var starters = new[] { "AutoMLGpt.Core", "AutoMLGpt.Web" }
            .SelectMany(p => Directory.EnumerateFiles(Path.Combine(root, p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => File.ReadAllText(f) is var text && (text.Contains("Process.Start") || text.Contains("ProcessStartInfo")))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).ToList();
        Assert.Equal(["AutoMLGpt.Core/Projects/ScriptChecker.cs", "AutoMLGpt.Core/Training/Distributed/Launchers.cs", "AutoMLGpt.Web/Training/ChildWorkerDispatcher.cs"], starters.Order());
        var launcher = File.ReadAllText(Path.Combine(root, "AutoMLGpt.Core", "Training", "Distributed", "Launchers.cs"));
        Assert.Contains("start.ArgumentList.Add(DistributedRank.Flag);", launcher); // the app (or its worker) as one LightGBM process
        var checker = File.ReadAllText(Path.Combine(root, "AutoMLGpt.Core", "Projects", "ScriptChecker.cs"));
        Assert.Contains("\"-I\", \"-m\", \"pyflakes\"", checker);
        var dispatcher = File.ReadAllText(Path.Combine(root, "AutoMLGpt.Web", "Training", "ChildWorkerDispatcher.cs"));
        Assert.Contains("var app = typeof(Program).Assembly.Location;", dispatcher); // the app itself, with --worker
        Assert.Contains("start.ArgumentList.Add(\"--worker\");", dispatcher);
        string[] forbidden =
        [
            "Microsoft.CodeAnalysis.CSharp.Scripting.CSharpScript",
            "Microsoft.CodeAnalysis.Scripting.Script", "System.Management.Automation.PowerShell", "System.Reflection.Emit.DynamicMethod",
            "System.Runtime.Loader.AssemblyLoadContext", "Microsoft.JSInterop.IJSInProcessRuntime",
        ];
        foreach (var assembly in new[] { typeof(ExperimentStore).Assembly, typeof(AutoMLGpt.Web.WebExtensions).Assembly })
        {
            using var pe = new PEReader(File.OpenRead(assembly.Location));
            var md = pe.GetMetadataReader();
            var referenced = md.TypeReferences.Select(h => md.GetTypeReference(h)).Select(t => $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}").ToHashSet();
            Assert.Empty(referenced.Intersect(forbidden));
            // "eval" and "Function(" would be the JS side's ways to run text; the app's script has neither.
        }
        var script = File.ReadAllText(Path.Combine(Path.GetDirectoryName(typeof(ExperimentStore).Assembly.Location)!, "..", "..", "..", "..", "..", "AutoMLGpt.Web", "wwwroot", "js", "app.js"));
        Assert.DoesNotContain("eval(", script);
        Assert.DoesNotContain("new Function", script);
        Assert.DoesNotContain("innerHTML", script);
    }
}
