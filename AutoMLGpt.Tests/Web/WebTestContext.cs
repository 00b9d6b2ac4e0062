using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AutoMLGpt.Tests.Web;

/// <summary>
/// The shared bUnit set-up: MudBlazor services, loose JS interop, an interactive renderer, and (when a page needs it)
/// the domain over a temporary SQLite database.
/// </summary>
public abstract class WebTestContext : BunitContext, IAsyncLifetime
{
    private TestDatabase? _database;

    protected WebTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Set when the test renders pages that need the store, runner and engine.</summary>
    protected virtual bool NeedsDatabase => false;

    protected TestDatabase Database => _database ?? throw new InvalidOperationException("Override NeedsDatabase to get one.");

    // Registers the domain's store, runner and offline engine, backed by a fresh SQLite file.
    private async Task UseDatabaseAsync()
    {
        _database = await TestDatabase.CreateAsync();
        // The pages get the same singletons the app registers, from the domain's own registration.
        foreach (var type in new[]
        {
            typeof(AutoMLGpt.Core.Experiments.ExperimentStore), typeof(AutoMLGpt.Core.Experiments.ExperimentRunner),
            typeof(AutoMLGpt.Core.Experiments.ChatRefiner), typeof(AutoMLGpt.Core.Engines.Llm.LlmOptions),
            typeof(AutoMLGpt.Core.TrainingJobs.TrainingService), typeof(AutoMLGpt.Core.TrainingJobs.TrainingJobStore),
            typeof(AutoMLGpt.Core.TrainingJobs.DataFolders), typeof(AutoMLGpt.Core.TrainingJobs.DatasetIntake), typeof(AutoMLGpt.Core.TrainingJobs.TrainingOptions),
            typeof(AutoMLGpt.Core.Knowledge.KnowledgeBase), typeof(AutoMLGpt.Core.Library.CardLibrary),
            typeof(AutoMLGpt.Core.Reports.ExperimentBundles), typeof(AutoMLGpt.Core.Reports.ExperimentReviews), typeof(AutoMLGpt.Core.Reports.HistoryQuestionAsker), typeof(AutoMLGpt.Core.Projects.ProjectExports), typeof(AutoMLGpt.Core.Experiments.LiveRuns), typeof(UsageLimiter), typeof(AutoMLGpt.Core.StorageSummary),
            typeof(AutoMLGpt.Core.Access.TeamSignInOptions), typeof(AutoMLGpt.Core.Access.Accounts),
        })
            Services.AddSingleton(type, _database.Services.GetRequiredService(type));
        var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 }, _database.Services.GetRequiredService<AutoMLGpt.Core.Knowledge.KnowledgeBase>());
        Services.AddSingleton<IExperimentEngine>(engine);
        Services.AddSingleton(new ExperimentEngines(engine, engine));
        var llm = _database.Services.GetRequiredService<AutoMLGpt.Core.Engines.Llm.LlmOptions>();
        Services.AddSingleton(new AutoMLGpt.Web.Llm.LlmConnectionTester(llm, _database.Services.GetRequiredService<AutoMLGpt.Core.Engines.Llm.Secrets>()));
        Services.AddScoped<AutoMLGpt.Web.Components.Runs.RunSessions>();
        Services.AddLogging();
        Services.AddScoped<SessionIdentity>();
        Services.AddScoped<AutoMLGpt.Web.Access.CurrentViewer>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
    }

    // Services must all be registered before the renderer exists; SetRendererInfo creates it.
    public async ValueTask InitializeAsync()
    {
        if (NeedsDatabase) await UseDatabaseAsync();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
