using System.Data.Common;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;
using AutoMLGpt.Web.Components.Runs;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;

namespace AutoMLGpt.Tests.Web;

/// <summary>A fault in the database while a run starts or ends never keeps its usage slot: the app does not lock itself out.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class RunLeaseTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    /// <summary>Fails every read while <see cref="Failing"/> is set, as a database that stopped answering would.</summary>
    private sealed class SwitchableFault : DbCommandInterceptor
    {
        public volatile bool Failing;
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            Failing ? throw new InvalidOperationException("injected database fault") : base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    [Fact]
    public async Task TwentyStoreFaultsOnRetryLeaveNoSlotTakenAndTheNextRunStarts()
    {
        var fault = new SwitchableFault();
        var faultyStore = new ExperimentStore(Database.FactoryWith(fault), TimeProvider.System);
        var limiter = new UsageLimiter(new UsageLimitOptions { MaxConcurrentRuns = 3, MaxConcurrentRunsPerSession = 2 }, TimeProvider.System);
        var engine = Services.GetRequiredService<IExperimentEngine>();
        using var sessions = new RunSessions(Database.Runner, Database.Services.GetRequiredService<ChatRefiner>(), faultyStore,
            Database.Services.GetRequiredService<LiveRuns>(), limiter, new SessionIdentity(), Services.GetRequiredService<ISnackbar>(),
            TimeProvider.System, NullLogger<RunSessions>.Instance);
        var id = await Database.Store.CreateAsync(PaperExamples.Adult.Create(), engine.Name);

        fault.Failing = true;
        for (var i = 0; i < 20; i++)
        {
            var failed = sessions.Start(engine, (_, ct) => Database.Runner.PlanRetryAsync(id, engine, cancellationToken: ct), experimentId: id);
            await failed.Driving.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(failed.Busy);
            Assert.NotNull(failed.Error); // the page says the run failed, with what to do next
            Assert.Equal(0, limiter.ActiveRuns);
        }

        fault.Failing = false;
        var run = sessions.Start(engine, (_, ct) => Database.Runner.PlanRetryAsync(id, engine, cancellationToken: ct), experimentId: id);
        await run.Driving.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Null(run.Error);
        Assert.Equal(RunStatus.Succeeded, run.Outcome);
        Assert.Equal(0, limiter.ActiveRuns);
    }
}
