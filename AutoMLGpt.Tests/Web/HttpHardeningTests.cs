using System.Net;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Tests.E2E;
using AutoMLGpt.Tests.Fakes;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoMLGpt.Tests.Web;

/// <summary>Plan rows 15, 40-42 over HTTP: circuit origin check, production error settings, inert downloads.</summary>
[Trait(TestCategory.Name, TestCategory.Host)]
public sealed class HttpHardeningTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("automlgpt-http-").FullName;
    private TestApp _app = default!;

    public ValueTask InitializeAsync()
    {
        _app = new TestApp(_folder, new Dictionary<string, string?> { ["Security:AllowedOrigins:0"] = "https://automl.example.org" });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }

    private static HttpRequestMessage Negotiate(string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return request;
    }

    [Theory]
    [InlineData("https://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost.evil.example", HttpStatusCode.Forbidden)]
    [InlineData("null", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost", HttpStatusCode.OK)]
    [InlineData("https://automl.example.org", HttpStatusCode.OK)]
    [InlineData(null, HttpStatusCode.OK)]
    public async Task CircuitsAreOpenedOnlyFromThisAppsOwnPages(string? origin, HttpStatusCode expected)
    {
        var client = _app.CreateClient();
        var response = await client.SendAsync(Negotiate(origin));
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task DownloadsAreInertAttachmentsAndUnknownIdsAre404()
    {
        var store = _app.Services.GetRequiredService<ExperimentStore>();
        var id = await store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        await store.SaveStageAsync(id, 1, AutoMLGpt.Core.Pipeline.StageKind.DataProcessing, AutoMLGpt.Core.Pipeline.RunStatus.Succeeded,
            new AutoMLGpt.Core.Pipeline.StageOutput(AutoMLGpt.Core.Pipeline.StageKind.DataProcessing, "import os\nos.system('rm -rf /')\n<script>alert(1)</script>"), null);
        var client = _app.CreateClient();

        foreach (var (path, type) in new[]
        {
            ($"/experiments/{id}/download/script", "text/plain"), ($"/experiments/{id}/bundle", "application/zip"),
            ($"/experiments/{id}/report", "text/markdown"),
        })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
        foreach (var path in new[] { $"/experiments/{Guid.NewGuid()}/bundle", $"/experiments/{Guid.NewGuid()}/report", $"/cards/{Guid.NewGuid()}/export", $"/training/{Guid.NewGuid()}/model" })
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task ProductionKeepsDetailedErrorsOffAndServesTheGenericErrorPage()
    {
        await using var production = _app.WithWebHostBuilder(b => b.UseEnvironment("Production"));
        Assert.False(production.Services.GetRequiredService<IOptions<CircuitOptions>>().Value.DetailedErrors);
        var page = await production.CreateClient().GetStringAsync("/Error");
        Assert.DoesNotContain("   at ", page); // no stack trace
        Assert.Contains("error", page, StringComparison.OrdinalIgnoreCase);
    }
}
