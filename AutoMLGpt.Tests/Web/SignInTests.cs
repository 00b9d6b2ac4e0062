using System.Net;
using System.Text.RegularExpressions;
using AutoMLGpt.Core.Access;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Library;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.E2E;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Web;

/// <summary>
/// Sign-in on (ASP.NET Core Identity, local accounts): the first account is admin; another account's private
/// experiment, its downloads and model, and its private card are refused with 403; a shared one opens; the LLM
/// settings are admin-only; nothing is served without an account. Over real HTTP with real cookies and forms.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Host)]
public sealed partial class SignInTests : IAsyncLifetime
{
    private const string Password = "correct horse 42";
    private readonly string _folder = Directory.CreateTempSubdirectory("automlgpt-signin-").FullName;
    private TestApp _app = default!;

    public ValueTask InitializeAsync()
    {
        _app = new TestApp(_folder, new Dictionary<string, string?>
        {
            ["SignIn:Enabled"] = "true", ["SignIn:Registration"] = "Open", ["SignIn:NewAccountRole"] = "editor",
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }

    private HttpClient NewBrowser() => _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>Fills and posts a static account form as a browser does (antiforgery token included).</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string path, string formName, Dictionary<string, string> fields)
    {
        var page = await (await browser.GetAsync(path)).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, $"{path} has no antiforgery field");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        fields["_handler"] = formName;
        return await browser.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private static async Task<HttpClient> RegisterAsync(Func<HttpClient> newBrowser, string user)
    {
        var browser = newBrowser();
        var response = await PostFormAsync(browser, "/account/register", "register",
            new() { ["Input.UserName"] = user, ["Input.Password"] = Password, ["Input.Confirm"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode); // signed in and sent to the app
        return browser;
    }

    private async Task<string> IdOfAsync(string user) =>
        (await _app.Services.GetRequiredService<Accounts>().ListAsync()).Single(a => a.UserName == user).Id;

    [Fact]
    public async Task AnotherAccountsPrivateExperimentCardAndModelAreRefusedWhileASharedOneOpensReadOnly()
    {
        var admin = await RegisterAsync(NewBrowser, "admin");
        var alice = await RegisterAsync(NewBrowser, "alice");
        var bob = await RegisterAsync(NewBrowser, "bob");
        var accounts = await _app.Services.GetRequiredService<Accounts>().ListAsync();
        Assert.Equal(AccessLevel.Admin, accounts.Single(a => a.UserName == "admin").Level); // the first account
        Assert.Equal(AccessLevel.Editor, accounts.Single(a => a.UserName == "alice").Level);

        var aliceId = await IdOfAsync("alice");
        var store = _app.Services.GetRequiredService<ExperimentStore>();
        var priv = await store.CreateAsync(PaperExamples.Adult.Create(), "offline engine", ownerId: aliceId);
        await store.SaveStageAsync(priv, 1, StageKind.DataProcessing, RunStatus.Succeeded, new StageOutput(StageKind.DataProcessing, "import pandas as pd\n"), null);
        await store.FinishAsync(priv, 1, RunStatus.Succeeded, null);
        var shared = await store.CreateAsync(PaperExamples.Adult.Create(), "offline engine", ownerId: aliceId);
        await store.FinishAsync(shared, 1, RunStatus.Succeeded, null);
        await store.SetSharedAsync(shared, true);
        var job = await AddTrainedModelAsync(priv);
        var card = await _app.Services.GetRequiredService<CardLibrary>().SaveAsync(PaperExamples.Adult.Create().Data, "test", ownerId: aliceId);

        // Bob: 403 on the page, every download of it, its model and Alice's private card.
        foreach (var path in new[]
        {
            $"/experiments/{priv}", $"/experiments/{priv}/bundle", $"/experiments/{priv}/report", $"/experiments/{priv}/project",
            $"/experiments/{priv}/notebook", $"/experiments/{priv}/download/script", $"/training/{job}/model", $"/cards/{card.Id}/export",
        })
        {
            var response = await bob.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
            Assert.Contains("private", await response.Content.ReadAsStringAsync());
        }
        // The shared one opens, and its downloads work.
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/experiments/{shared}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync($"/experiments/{shared}/bundle")).StatusCode);
        // History's export lists what Bob may read, whatever the URL asks.
        var csv = await (await bob.GetAsync("/history/export.csv?q=adult")).Content.ReadAsStringAsync();
        Assert.Contains(shared.ToString(), csv);
        Assert.DoesNotContain(priv.ToString(), csv);
        // LLM settings and accounts are admin-only.
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("/admin/accounts")).StatusCode);

        // Alice and the admin open all of it.
        foreach (var owner in new[] { alice, admin })
        {
            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/experiments/{priv}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/training/{job}/model")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/cards/{card.Id}/export")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/settings")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/settings")).StatusCode);
    }

    [Fact]
    public async Task WithoutAnAccountEveryPageAndDownloadSendsToTheLoginPage()
    {
        var store = _app.Services.GetRequiredService<ExperimentStore>();
        var id = await store.CreateAsync(PaperExamples.Adult.Create(), "offline engine");
        var anonymous = NewBrowser();
        foreach (var path in new[] { "/", "/history", $"/experiments/{id}", $"/experiments/{id}/bundle", "/history/export.csv", "/settings", "/cards" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{path}: {response.StatusCode}");
            Assert.StartsWith("/account/login", response.Headers.Location!.PathAndQuery);
        }
        // The login page itself, and its styles, are open.
        var login = await anonymous.GetAsync("/account/login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Contains("no-accounts", await login.Content.ReadAsStringAsync()); // first visit: create the first account
    }

    [Fact]
    public async Task AWrongPasswordSaysSoAndSignOutEndsTheSession()
    {
        var first = await RegisterAsync(NewBrowser, "admin");
        var stranger = NewBrowser();
        var wrong = await PostFormAsync(stranger, "/account/login", "login", new() { ["Input.UserName"] = "admin", ["Input.Password"] = "not the password" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("The user name or password is wrong", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await stranger.GetAsync("/history")).StatusCode);

        var right = await PostFormAsync(stranger, "/account/login", "login", new() { ["Input.UserName"] = "admin", ["Input.Password"] = Password, ["ReturnUrl"] = "/history" });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.GetAsync("/history")).StatusCode);

        // Sign-out is a POST with the antiforgery token from any app page.
        var page = await (await first.GetAsync("/history")).Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        var signOut = await first.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await first.GetAsync("/history")).StatusCode);
    }

    [Fact]
    public async Task WithClosedRegistrationOnlyTheFirstAccountRegistersItselfAndAdminsSetRoles()
    {
        Directory.CreateDirectory(_folder + "-closed");
        await using var closed = new TestApp(_folder + "-closed", new Dictionary<string, string?> { ["SignIn:Enabled"] = "true" });
        try
        {
            HttpClient Browser() => closed.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            await RegisterAsync(Browser, "owner");
            var page = await (await Browser().GetAsync("/account/register")).Content.ReadAsStringAsync();
            Assert.Contains("registration-closed", page);

            var accounts = closed.Services.GetRequiredService<Accounts>();
            var owner = (await accounts.ListAsync()).Single();
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => accounts.SetLevelAsync(owner.Id, AccessLevel.Viewer));
            Assert.Contains("only admin", error.Message);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_folder + "-closed", true); } catch (IOException) { }
        }
    }

    private async Task<Guid> AddTrainedModelAsync(Guid experimentId)
    {
        var jobs = _app.Services.GetRequiredService<TrainingJobStore>();
        var job = await jobs.CreateAsync(experimentId, 1, "adult.csv", "accuracy", 0.87, null, CancellationToken.None);
        var folders = _app.Services.GetRequiredService<DataFolders>();
        var file = $"{job:N}.txt";
        Directory.CreateDirectory(Path.GetDirectoryName(folders.ModelPath(file))!);
        await File.WriteAllTextAsync(folders.ModelPath(file), "tree\nversion=v4\n");
        var factory = _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.TrainingJobs.Where(j => j.Id == job).ExecuteUpdateAsync(u => u.SetProperty(j => j.ModelFile, file).SetProperty(j => j.Status, RunStatus.Succeeded));
        return job;
    }
}
