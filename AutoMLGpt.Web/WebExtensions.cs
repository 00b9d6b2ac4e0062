using AutoMLGpt.Core;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Engines.Llm;
using AutoMLGpt.Web.Access;
using AutoMLGpt.Web.Endpoints;
using AutoMLGpt.Web.Llm;
using Microsoft.AspNetCore.DataProtection;
using MudBlazor.Services;

namespace AutoMLGpt.Web;

/// <summary>
/// Renders the four stage panels once at start (to HTML, outside any circuit) with real offline output, so the first
/// run's first render does not pay for compiling the components, the Markdown pipeline and the highlighter.
/// </summary>
internal sealed class RenderingWarmup(IServiceProvider services, ILoggerFactory loggers, Core.Knowledge.KnowledgeBase knowledge) : IWarmup
{
    public async Task WarmAsync(CancellationToken cancellationToken)
    {
        var engine = new Core.Engines.Offline.OfflineEngine(new Core.Engines.Offline.OfflineEngineOptions { StreamDelayMilliseconds = 0 }, knowledge);
        var outputs = new Dictionary<StageKind, StageOutput>();
        await foreach (var update in PipelineRunner.RunAsync(engine, Core.Cards.PaperExamples.Adult.Create(), cancellationToken))
            if (update is { Kind: StageUpdateKind.Completed, Output: { } output }) outputs[update.Stage] = output;
        var states = StageNames.InOrder.Select(s => outputs.TryGetValue(s, out var o)
            ? new Components.Stages.StageState(s, RunStatus.Succeeded, o.Text, o) : new Components.Stages.StageState(s, RunStatus.Pending, "")).ToList();
        await using var scope = services.CreateAsyncScope();
        // Links (downloads) ask the navigation manager for the base address, as a prerender would.
        if (scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>() is Microsoft.AspNetCore.Components.Routing.IHostEnvironmentNavigationManager navigation)
            navigation.Initialize("http://localhost/", "http://localhost/");
        await using var renderer = new Microsoft.AspNetCore.Components.Web.HtmlRenderer(scope.ServiceProvider, loggers);
        await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = Microsoft.AspNetCore.Components.ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(Components.Stages.StageBoardWarmup.Saved)] = states,
            });
            await renderer.RenderComponentAsync<Components.Stages.StageBoardWarmup>(parameters);
        });
    }
}

public static class WebExtensions
{
    /// <summary>What the components need beyond the domain: the circuit's runs and the language-model connection test (the bUnit context registers the same).</summary>
    public static IServiceCollection AddComponentServices(this IServiceCollection services)
    {
        services.AddSingleton<LlmConnectionTester>();
        services.AddScoped<Components.Runs.RunSessions>();
        return services;
    }

    /// <summary>All of the web app's registrations: Razor components, MudBlazor and the domain.</summary>
    public static WebApplicationBuilder AddAutoMLGptWeb(this WebApplicationBuilder builder)
    {
        // SignalR's 32 KB default closes the circuit when a long text is pasted into a card field; at 512 KB the domain's
        // length checks answer with a message instead.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = 512 * 1024);
        builder.Services.AddMudServices();
        builder.Services.AddAutoMLGptCore(builder.Configuration, builder.Environment.ContentRootPath, addChatClient: LlmBackend.AddLlm);
        builder.Services.AddComponentServices();
        // Identity's stores and the Data Protection key store want a scoped context: it lives for one request (sign-in and
        // registration are static pages) or one key-ring read; components use the factory.
        builder.Services.AddScoped<Core.Persistence.AppDbContext>(sp => sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Core.Persistence.AppDbContext>>().CreateDbContext());
        // Keys (sign-in cookies, antiforgery tokens) live in the database, so every web node on it reads what another wrote.
        builder.Services.AddDataProtection().SetApplicationName("AutoMLGpt").PersistKeysToDbContext<Core.Persistence.AppDbContext>();
        builder.AddSignIn();
        builder.Services.AddHostedService<Training.ChildWorkerDispatcher>();
        builder.Services.AddSingleton<IWarmup, RenderingWarmup>();
        return builder;
    }

    /// <summary>
    /// The circuit hub takes connections from this app's own pages only (plus <c>Security:AllowedOrigins</c>, e.g. a
    /// reverse proxy's public address): antiforgery does not cover SignalR, and a WebSocket from another site's page
    /// would otherwise carry the user's cookies into a circuit.
    /// </summary>
    public static IApplicationBuilder UseCircuitOriginCheck(this IApplicationBuilder app, IConfiguration configuration)
    {
        var allowed = (configuration.GetSection("Security:AllowedOrigins").Get<string[]>() ?? [])
            .Select(o => o.TrimEnd('/')).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/_blazor") && context.Request.Headers.Origin is { Count: > 0 } origin)
            {
                var self = $"{context.Request.Scheme}://{context.Request.Host}";
                var from = origin.ToString().TrimEnd('/');
                if (!string.Equals(from, self, StringComparison.OrdinalIgnoreCase) && !allowed.Contains(from))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsync("Cross-origin circuit connections are refused; add the origin to Security:AllowedOrigins if it is yours.");
                    return;
                }
            }
            await next();
        });
    }

    /// <summary>Headers that keep generated text inert: no MIME sniffing, no framing, scripts only from this app.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers["X-Content-Type-Options"] = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Blazor Server needs inline styles (MudBlazor) and a WebSocket back to this origin; images only from here or data: URIs.
        headers["Content-Security-Policy"] =
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            "connect-src 'self' ws: wss:; font-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
        await next();
    });

    /// <summary>Every endpoint outside the pages, feature by feature; generated files are downloads, never run by the browser.</summary>
    public static IEndpointRouteBuilder MapAutoMLGptEndpoints(this IEndpointRouteBuilder endpoints) => endpoints
        .MapExperimentEndpoints()
        .MapTrainingEndpoints()
        .MapReviewEndpoints()
        .MapAccountEndpoints();
}
