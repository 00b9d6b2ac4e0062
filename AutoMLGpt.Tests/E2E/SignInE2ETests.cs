using AutoMLGpt.Core.Access;
using AutoMLGpt.Core.Experiments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AutoMLGpt.Tests.E2E;

/// <summary>The app with sign-in on and open registration (new accounts are editors).</summary>
public sealed class SignInAppFixture : AppFixture
{
    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string?>>(
        new Dictionary<string, string?> { ["SignIn:Enabled"] = "true", ["SignIn:Registration"] = "Open", ["SignIn:NewAccountRole"] = "editor" });
}

/// <summary>
/// A team in three browsers: the first account is admin; Alice runs an experiment (it is hers, private), shares it;
/// Bob opens it read-only and is refused her private one; a wrong password says so.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class SignInE2ETests(SignInAppFixture app) : IClassFixture<SignInAppFixture>
{
    private const string Password = "a long pass 2026";

    private async Task<(IBrowserContext Context, AccountPages Pages)> BrowserOfAsync(string user)
    {
        var context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var pages = new AccountPages(page, app.BaseUrl);
        await pages.RegisterAsync(user, Password);
        return (context, pages);
    }

    [Fact]
    public async Task ATeamSignsInRunsSharesAndReviewsWithinItsRoles()
    {
        var (adminContext, admin) = await BrowserOfAsync("admin");
        await Expect(admin.AccountChip).ToContainTextAsync("admin · admin");
        await Expect(admin.Page.Locator("#nav-accounts")).ToBeVisibleAsync();

        // Alice's run in her circuit is saved as hers, private.
        var (aliceContext, alice) = await BrowserOfAsync("alice");
        await Expect(alice.AccountChip).ToContainTextAsync("alice · editor");
        await Expect(alice.Page.Locator("#nav-accounts")).ToHaveCountAsync(0);
        var form = new NewExperimentPage(alice.Page, app.BaseUrl);
        await form.LoadExampleAsync("adult-xgboost");
        await form.RunAsync();
        await form.WaitForAllStagesAsync();
        var mine = await form.OpenSavedAsync();
        await Expect(mine.OwnerChip).ToContainTextAsync("alice · private");
        var privateId = Guid.Parse(alice.Page.Url.Split('/').Last());
        var store = app.App.Services.GetRequiredService<ExperimentStore>();
        var aliceId = (await app.App.Services.GetRequiredService<Accounts>().ListAsync()).Single(a => a.UserName == "alice").Id;
        Assert.Equal(aliceId, (await store.OwnershipAsync(privateId))!.OwnerId);

        // A second one she shares from its page.
        var sharedId = await store.CreateAsync(AutoMLGpt.Core.Cards.PaperExamples.Adult.Create(), "offline engine", ownerId: aliceId);
        await store.FinishAsync(sharedId, 1, AutoMLGpt.Core.Pipeline.RunStatus.Succeeded, null);
        await mine.OpenAsync($"/experiments/{sharedId}");
        await mine.ShareToggle.CheckAsync();
        await Expect(mine.OwnerChip).ToContainTextAsync("alice · shared");

        // Bob: the shared one read-only, the private one refused (403 on load).
        var (bobContext, bob) = await BrowserOfAsync("bob");
        var theirs = new ExperimentPage(bob.Page, app.BaseUrl);
        await theirs.OpenAsync($"/experiments/{sharedId}");
        await Expect(theirs.ReadOnlyBanner).ToContainTextAsync("shared by alice");
        await Expect(theirs.ChatInput).ToHaveCountAsync(0);
        await Expect(bob.Page.Locator("#delete-experiment")).ToHaveCountAsync(0);
        var refused = await bob.Page.GotoAsync($"{app.BaseUrl}/experiments/{privateId}");
        Assert.Equal(403, refused!.Status);
        await Expect(theirs.AccessDenied).ToContainTextAsync("private to its owner");
        var settings = await bob.Page.GotoAsync($"{app.BaseUrl}/settings");
        Assert.Equal(403, settings!.Status);

        // History shows Bob the shared one only.
        await bob.Page.GotoAsync($"{app.BaseUrl}/history");
        await AppPage.WaitInteractiveAsync(bob.Page);
        await Expect(bob.Page.Locator($".history-row[data-id='{sharedId}']")).ToBeVisibleAsync();
        await Expect(bob.Page.Locator($".history-row[data-id='{privateId}']")).ToHaveCountAsync(0);

        // Signing out ends the session; a wrong password says so.
        await bob.SignOutAsync();
        await Expect(bob.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"), new() { Timeout = 30_000 }); // the URL, not a load event (a loaded CI machine was slow to fire one)
        await bob.SignInAsync("bob", "not my password");
        await Expect(bob.LoginError).ToContainTextAsync("wrong");

        foreach (var context in new[] { adminContext, aliceContext, bobContext }) await context.DisposeAsync();
    }
}
