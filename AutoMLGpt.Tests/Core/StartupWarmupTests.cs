using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class StartupWarmupTests
{
    [Fact]
    public async Task TheWarmUpRunsEveryStageButSavesNothingAndLeavesNoFiles()
    {
        await using var db = await TestDatabase.CreateAsync();
        // Its own scratch folder: other apps warming up in parallel tests write to the shared temp folder.
        var scratch = Directory.CreateTempSubdirectory("automlgpt-warmup-test-").FullName;
        var warmup = new StartupWarmup(db.Store, db.Services.GetRequiredService<KnowledgeBase>(), [], new RunOptions(), TimeProvider.System,
            NullLogger<StartupWarmup>.Instance) { ScratchFolder = scratch };
        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!;

        Assert.Empty(await db.Store.ListAsync());
        Assert.Empty(Directory.GetFiles(scratch));
        Directory.Delete(scratch);
    }

    [Fact]
    public async Task TheWarmUpCanBeSwitchedOff()
    {
        await using var db = await TestDatabase.CreateAsync();
        var warmup = new StartupWarmup(db.Store, db.Services.GetRequiredService<KnowledgeBase>(), [new CountingWarmup()], new RunOptions { WarmUpAtStart = false },
            TimeProvider.System, NullLogger<StartupWarmup>.Instance);
        await warmup.StartAsync(CancellationToken.None);
        await warmup.ExecuteTask!;
        Assert.Equal(0, CountingWarmup.Calls);
    }

    private sealed class CountingWarmup : IWarmup
    {
        public static int Calls;
        public Task WarmAsync(CancellationToken cancellationToken) { Interlocked.Increment(ref Calls); return Task.CompletedTask; }
    }
}
