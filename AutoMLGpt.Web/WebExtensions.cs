using System.Text;
using AutoMLGpt.Core;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Engines.Llm;
using AutoMLGpt.Web.Access;
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

    /// <summary>All of the web app's registrations: Razor components, MudBlazor and the domain.</summary>
    public static WebApplicationBuilder AddAutoMLGptWeb(this WebApplicationBuilder builder)
    {
        // SignalR's 32 KB default closes the circuit when a long text is pasted into a card field; at 512 KB the domain's
        // length checks answer with a message instead.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = 512 * 1024);
        builder.Services.AddMudServices();
        builder.Services.AddAutoMLGptCore(builder.Configuration, builder.Environment.ContentRootPath, addChatClient: LlmBackend.AddLlm);
        builder.Services.AddSingleton<LlmConnectionTester>();
        builder.Services.AddScoped<AutoMLGpt.Web.Components.Runs.RunSessions>();
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

    /// <summary>Generated scripts are downloads of plain text, never something the browser could run.</summary>
    public static IEndpointRouteBuilder MapExperimentDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/experiments/{id:guid}/download/{stage}", async (Guid id, string stage, int? revision, ExperimentStore store, HttpContext http, CancellationToken ct) =>
        {
            if (StageDownloads.Find(stage) is not { } download) return Results.NotFound();
            if (await AccessResults.ExperimentAsync(http, id) is { } refused) return refused;
            var (kind, fileName) = (download.Stage, download.FileName);
            var experiment = await store.GetAsync(id, ct, revision);
            if (experiment?.Stage(kind) is not { } saved) return Results.NotFound();
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            var name = $"{Core.Cards.CardText.Slug(experiment.Cards.Data.Name)}_r{experiment.Revision}_{fileName}";
            return Results.File(Encoding.UTF8.GetBytes(saved.Output.Text), "text/plain; charset=utf-8", name);
        });
        // A trained model: LightGBM's own text format, downloaded, never interpreted by the browser.
        endpoints.MapGet("/training/{id:guid}/model", async (Guid id, Core.TrainingJobs.TrainingJobStore jobs, Core.TrainingJobs.DataFolders folders, HttpContext http, CancellationToken ct) =>
        {
            if (await jobs.FindAsync(id, ct) is not { ModelFile: not null } job) return Results.NotFound();
            if (await AccessResults.ExperimentAsync(http, job.ExperimentId) is { } refused) return refused;
            if (await jobs.ModelTextAsync(job, folders, ct) is not { } model) return Results.NotFound();
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.File(Encoding.UTF8.GetBytes(model), "text/plain; charset=utf-8", $"lightgbm_model_{id:N}.txt");
        });
        // The reproducibility bundle: built into memory first, so a failure is a clean 500 and never a truncated zip.
        endpoints.MapGet("/experiments/{id:guid}/bundle", async (Guid id, Core.Reports.ExperimentBundles bundles, ExperimentStore store, HttpContext http, CancellationToken ct) =>
        {
            if (await AccessResults.ExperimentAsync(http, id) is { } refused) return refused;
            var experiment = await store.GetAsync(id, ct);
            if (experiment is null) return Results.NotFound();
            var buffer = new MemoryStream();
            await bundles.ExportAsync(id, buffer, ct);
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.File(buffer.ToArray(), "application/zip", $"{Core.Cards.CardText.Slug(experiment.Name)}_bundle.zip");
        });
        endpoints.MapGet("/experiments/{id:guid}/report", async (Guid id, int? revision, Core.Reports.ExperimentReviews reviews, HttpContext http, CancellationToken ct) =>
        {
            if (await AccessResults.ExperimentAsync(http, id) is { } refused) return refused;
            if (await reviews.ReviewAsync(id, revision, ct) is not { } item) return Results.NotFound();
            var report = Core.Reports.ExperimentReport.Build(item, Core.Reports.ExperimentReport.InlineImage);
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.File(Encoding.UTF8.GetBytes(report), "text/markdown; charset=utf-8", $"{Core.Cards.CardText.Slug(item.Details.Name)}_r{item.Details.Revision}_report.md");
        });
        // The runnable project (zip) and the same as a Jupyter notebook: generated text, downloaded, never run here.
        endpoints.MapGet("/experiments/{id:guid}/project", async (Guid id, int? revision, Core.Projects.ProjectExports exports, HttpContext http, CancellationToken ct) =>
        {
            if (await AccessResults.ExperimentAsync(http, id) is { } refused) return refused;
            if (await exports.ProjectAsync(id, revision, ct) is not { } found) return Results.NotFound();
            var (experiment, project) = found;
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.File(project.ToZip(), "application/zip", $"{project.Name}_r{experiment.Revision}_project.zip");
        });
        endpoints.MapGet("/experiments/{id:guid}/notebook", async (Guid id, int? revision, Core.Projects.ProjectExports exports, HttpContext http, CancellationToken ct) =>
        {
            if (await AccessResults.ExperimentAsync(http, id) is { } refused) return refused;
            if (await exports.NotebookAsync(id, revision, ct) is not { } found) return Results.NotFound();
            var (experiment, notebook) = found;
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.File(Encoding.UTF8.GetBytes(notebook), "application/x-ipynb+json", $"{Core.Cards.CardText.Slug(experiment.Cards.Data.Name)}_r{experiment.Revision}.ipynb");
        });
        // The History table as filtered (the page links here with its filter), as CSV or JSON.
        endpoints.MapGet("/history/export.{format}", async (string format, Core.Reports.HistoryExport export, HttpContext http, CancellationToken ct) =>
        {
            // Only what this viewer may read, whatever the URL says.
            var query = Core.Reports.HistoryExport.FromQuery(key => http.Request.Query.TryGetValue(key, out var v) ? v.ToString() : null) with { VisibleTo = CurrentViewer.Of(http) };
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmm", System.Globalization.CultureInfo.InvariantCulture);
            return format switch
            {
                "csv" => Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(await export.CsvAsync(query, ct))).ToArray(), "text/csv; charset=utf-8", $"automlgpt-history-{stamp}.csv"),
                "json" => Results.File(Encoding.UTF8.GetBytes(await export.JsonAsync(query, ct)), "application/json; charset=utf-8", $"automlgpt-history-{stamp}.json"),
                _ => Results.NotFound(),
            };
        });
        // A library card in Hugging Face's format (README.md with YAML front matter).
        endpoints.MapGet("/cards/{id:guid}/export", async (Guid id, Core.Library.CardLibrary library, HttpContext http, CancellationToken ct) =>
        {
            if (await library.GetAsync(id, ct) is not { } card) return Results.NotFound();
            if (!CurrentViewer.Of(http).CanRead(card.Owner.OwnerId, card.Owner.Shared)) return AccessResults.Forbidden("This card is private to its owner; ask them to share it.");
            var text = card.Data is { } d ? Core.Cards.HuggingFace.HuggingFaceCards.ExportDataCard(d) : Core.Cards.HuggingFace.HuggingFaceCards.ExportModelCard(card.Model!);
            http.Response.Headers["X-Content-Type-Options"] = "nosniff";
            return Results.File(Encoding.UTF8.GetBytes(text), "text/markdown; charset=utf-8", $"{Core.Cards.CardText.Slug(card.Name)}_{card.Kind.ToString().ToLowerInvariant()}_card.md");
        });
        // Sign-out is a POST with the antiforgery token (a link could sign a user out from another site).
        endpoints.MapPost("/account/logout", async (HttpContext http) =>
        {
            if (http.RequestServices.GetRequiredService<Core.Access.TeamSignInOptions>().Enabled)
                await http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Identity.SignInManager<Core.Access.AppUser>>().SignOutAsync();
            return Results.LocalRedirect(SignInSetup.LoginPath);
        });
        return endpoints;
    }
}
