using AutoMLGpt.Core;
using AutoMLGpt.Web;
using AutoMLGpt.Web.Access;
using AutoMLGpt.Web.Components;

// One process of a distributed LightGBM job, started by a runner (Training:Distributed).
if (args.Contains(AutoMLGpt.Core.Training.Distributed.DistributedRank.Flag))
{
    Environment.Exit(AutoMLGpt.Core.Training.Distributed.DistributedRank.Run(args));
}

// The app's own training worker, started by itself as a child process (Training:Isolation=ChildProcess).
if (args.Contains("--worker"))
{
    await AutoMLGpt.Core.TrainingJobs.WorkerHost.RunAsync(args.Where(a => a != "--worker").ToArray(), Directory.GetCurrentDirectory());
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddAutoMLGptWeb();

var app = builder.Build();
await app.Services.InitialiseAutoMLGptDatabaseAsync();

if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseSecurityHeaders();
app.UseCircuitOriginCheck(app.Configuration);
app.UseSignIn();
app.UseAntiforgery();
app.MapStaticAssets().AllowAnonymous();
app.MapAutoMLGptEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
