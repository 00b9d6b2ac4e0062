using AutoMLGpt.Core;
using AutoMLGpt.Web;
using AutoMLGpt.Web.Access;
using AutoMLGpt.Web.Components;

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
app.MapExperimentDownloads();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

/// <summary>Visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
