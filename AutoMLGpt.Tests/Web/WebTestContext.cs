using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;
using AutoMLGpt.Web;
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
        // The pages get the domain exactly as the app registers it (AddAutoMLGptCore): each singleton forwarded to the
        // database's provider, so the page and the test share one store, runner and live state; scoped ones as registered.
        foreach (var type in _database.Registrations.Where(d => d.Lifetime == ServiceLifetime.Singleton && !d.ServiceType.IsGenericTypeDefinition
                     && d.ServiceType != typeof(Microsoft.Extensions.Hosting.IHostedService) && d.ServiceType.Namespace?.StartsWith("AutoMLGpt", StringComparison.Ordinal) == true)
                     .Select(d => d.ServiceType).Distinct())
            Services.AddSingleton(type, _ => _database.Services.GetRequiredService(type));
        foreach (var scoped in _database.Registrations.Where(d => d.Lifetime == ServiceLifetime.Scoped && d.ServiceType.Namespace?.StartsWith("AutoMLGpt", StringComparison.Ordinal) == true))
            Services.Add(scoped);
        // Streams without delays, as a test wants.
        var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 }, _database.Services.GetRequiredService<AutoMLGpt.Core.Knowledge.KnowledgeBase>());
        Services.AddSingleton<IExperimentEngine>(engine);
        Services.AddSingleton(new ExperimentEngines(engine, engine));
        Services.AddComponentServices();
        Services.AddLogging();
        Services.AddScoped<AutoMLGpt.Web.Access.CurrentViewer>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
    }

    /// <summary>
    /// Waits until the page's run has ended, reading the run bar's session: cheap on every render, where an assertion on
    /// the markup would parse the whole page each time (seconds for a streamed run). The last render may follow: assert
    /// on the markup with WaitForAssertion after it.
    /// </summary>
    protected static void WaitForRunToEnd(IRenderedComponent<IComponent> page, TimeSpan? timeout = null) =>
        page.WaitForState(() => page.FindComponent<AutoMLGpt.Web.Components.Runs.RunBar>().Instance.Session is { Busy: false }, timeout ?? TimeSpan.FromSeconds(30));

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
