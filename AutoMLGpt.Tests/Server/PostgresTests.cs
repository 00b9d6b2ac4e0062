using System.Net;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Library;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Tests.E2E;
using AutoMLGpt.Tests.Fakes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Server;

/// <summary>One real PostgreSQL server for the server-database tests (started once, a fresh database per test).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = default!;
    public async ValueTask InitializeAsync() => Server = await PostgresServer.StartAsync();
    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    public async Task<Dictionary<string, string?>> SettingsAsync() => new()
    {
        ["Database:Provider"] = "PostgreSql",
        ["ConnectionStrings:AutoMLGpt"] = await Server.CreateDatabaseAsync(),
    };

    /// <summary>
    /// A fresh database plus what processes sharing it need in tests (web nodes, workers): one data folder, checkpoints
    /// every half second, one training thread each.
    /// </summary>
    public async Task<Dictionary<string, string?>> SharedSettingsAsync(string dataFolder)
    {
        var settings = await SettingsAsync();
        settings["Database:DataDirectory"] = dataFolder;
        settings["Training:CheckpointSeconds"] = "0.5";
        settings["Training:Threads"] = "1";
        return settings;
    }
}

/// <summary>The app on PostgreSQL (Npgsql, its own migrations): what works on SQLite works there, and web nodes share it.</summary>
[Trait(TestCategory.Name, TestCategory.Database)]
public sealed class PostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    [Fact]
    public async Task ExperimentsRevisionsHistoryTagsSharingAndCardsWorkOnPostgreSql()
    {
        await using var db = await TestDatabase.CreateAsync(settings: await postgres.SettingsAsync());
        await using (var context = await db.Factory.CreateDbContextAsync())
            Assert.Equal("Npgsql.EntityFrameworkCore.PostgreSQL", context.Database.ProviderName);

        var plan = await db.Runner.PlanFirstRunAsync(PaperExamples.Adult.Create(), Offline, ownerId: "someone");
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        var saved = (await db.Store.GetAsync(plan.ExperimentId))!;
        Assert.Equal(RunStatus.Succeeded, saved.Status);
        Assert.Equal(4, saved.Stages.Count(s => s.Status == RunStatus.Succeeded));
        Assert.Equal(DateTimeKind.Utc, saved.CreatedUtc.Kind);

        // History: case-insensitive search (ILIKE here), tags, metric, the viewer's filter.
        await db.Store.SetTagsAsync(plan.ExperimentId, ["Census", "baseline"]);
        var found = Assert.Single(await db.Store.QueryAsync(new HistoryQuery(Search: "ADULT", Tag: "census")));
        Assert.Equal(["census", "baseline"], found.Tags);
        Assert.NotNull(found.Predicted);
        var stranger = new AutoMLGpt.Core.Access.Viewer("stranger", AutoMLGpt.Core.Access.AccessLevel.Editor, true);
        Assert.Empty(await db.Store.QueryAsync(new HistoryQuery(VisibleTo: stranger)));
        await db.Store.SetSharedAsync(plan.ExperimentId, true);
        Assert.Single(await db.Store.QueryAsync(new HistoryQuery(VisibleTo: stranger)));
        Assert.Single(await db.Store.QueryAsync(new HistoryQuery(FromUtc: DateTime.UtcNow.AddDays(-1))));

        // A chat revision, the export and the library.
        var revision = await db.Runner.PlanRevisionAsync(plan.ExperimentId, "chat: faster", Offline, [StageKind.Hyperparameters]);
        await foreach (var _ in db.Runner.RunAsync(revision!, CancellationToken.None)) { }
        Assert.Equal(2, (await db.Store.GetAsync(plan.ExperimentId))!.LatestRevision);
        var csv = await db.Services.GetRequiredService<HistoryExport>().CsvAsync(new HistoryQuery());
        Assert.Contains("census", csv);
        var card = await db.Services.GetRequiredService<CardLibrary>().SaveAsync(PaperExamples.Coco.Create().Data, "test");
        Assert.Contains(await db.Services.GetRequiredService<CardLibrary>().ListAsync(CardKind.Data, "coco"), c => c.Id == card.Id);
    }

    [Fact]
    public async Task TwoWebNodesOnOneDatabaseAcceptEachOthersSignInCookies()
    {
        var settings = await postgres.SettingsAsync();
        settings["SignIn:Enabled"] = "true";
        var folders = new[] { Directory.CreateTempSubdirectory("automlgpt-node-a-").FullName, Directory.CreateTempSubdirectory("automlgpt-node-b-").FullName };
        try
        {
            await using var nodeA = new TestApp(folders[0], settings);
            await using var nodeB = new TestApp(folders[1], settings);
            var browserA = nodeA.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

            var page = await (await browserA.GetAsync("/account/register")).Content.ReadAsStringAsync();
            var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
            var registered = await browserA.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token), ["_handler"] = "register",
                ["Input.UserName"] = "admin", ["Input.Password"] = "node shared 2026", ["Input.Confirm"] = "node shared 2026",
            }));
            Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
            var cookie = registered.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("AutoMLGpt.Auth=")).Split(';')[0];

            // Node B never saw this sign-in: it reads the cookie with the keys node A wrote to the database.
            var browserB = nodeB.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var request = new HttpRequestMessage(HttpMethod.Get, "/history");
            request.Headers.Add("Cookie", cookie);
            Assert.Equal(HttpStatusCode.OK, (await browserB.SendAsync(request)).StatusCode);
            var anonymous = await nodeB.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }).GetAsync("/history");
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);

            var factory = nodeA.Services.GetRequiredService<IDbContextFactory<AutoMLGpt.Core.Persistence.AppDbContext>>();
            await using var db = await factory.CreateDbContextAsync();
            Assert.True(await db.DataProtectionKeys.CountAsync() >= 1);
        }
        finally
        {
            foreach (var folder in folders) try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }
}
