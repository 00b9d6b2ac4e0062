using AutoMLGpt.Core.Access;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Web.Components.Pages;
using AutoMLGpt.Web.Components.Pages.Experiments;
using Bunit;

namespace AutoMLGpt.Tests.Web;

/// <summary>
/// What each account sees with sign-in on, in the pages themselves (in a circuit, navigation makes no HTTP request, so
/// the pages apply the same rules as the HTTP gate): read-only shared experiments, refused private ones, role limits.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class AccessPagesTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    private static readonly Viewer Alice = new("alice-id", AccessLevel.Editor, true, "alice");
    private static readonly Viewer Bob = new("bob-id", AccessLevel.Editor, true, "bob");
    private static readonly Viewer Carol = new("carol-id", AccessLevel.Viewer, true, "carol");
    private static readonly OfflineEngine Offline = new(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });

    private async Task<Guid> RunAsync(string ownerId, bool shared)
    {
        await using (var db = await Database.Factory.CreateDbContextAsync())
        {
            if (!db.Users.Any(u => u.Id == ownerId))
            {
                db.Users.Add(new AppUser { Id = ownerId, UserName = ownerId.Replace("-id", ""), NormalizedUserName = ownerId.ToUpperInvariant() });
                await db.SaveChangesAsync();
            }
        }
        var plan = await Database.Runner.PlanFirstRunAsync(PaperExamples.Adult.Create(), Offline, ownerId: ownerId);
        await foreach (var _ in Database.Runner.RunAsync(plan, CancellationToken.None)) { }
        await Database.Store.SetTagsAsync(plan.ExperimentId, ["baseline"]);
        if (shared) await Database.Store.SetSharedAsync(plan.ExperimentId, true);
        return plan.ExperimentId;
    }

    private IRenderedComponent<ExperimentPage> Open(Guid id, Viewer viewer) =>
        Render<ExperimentPage>(p => p.Add(x => x.Id, id).AddCascadingValue(viewer));

    [Fact]
    public async Task AnotherAccountsSharedExperimentOpensReadOnly()
    {
        var id = await RunAsync("alice-id", shared: true);
        var cut = Open(id, Bob);

        cut.WaitForAssertion(() => Assert.Contains("shared by alice", cut.Find("#read-only-banner").TextContent));
        Assert.Empty(cut.FindAll("#chat-input"));
        Assert.NotNull(cut.Find("#chat-read-only"));
        foreach (var control in new[] { "#delete-experiment", "#tag-input", "#edit-notes", "#pin-toggle", "#share-toggle", "#ask-fix" })
            Assert.Empty(cut.FindAll(control));
        Assert.NotNull(cut.Find("#download-menu")); // reading includes downloading
        Assert.NotNull(cut.Find("#run-again"));     // an editor may re-run it as their own copy
        Assert.Contains("#baseline", cut.Find("#experiment-tags").TextContent);
    }

    [Fact]
    public async Task TheOwnerEditsAndSharesAndAPrivateExperimentIsRefusedToOthers()
    {
        var id = await RunAsync("alice-id", shared: false);

        var mine = Open(id, Alice);
        mine.WaitForAssertion(() => Assert.NotNull(mine.Find("#chat-input")));
        Assert.Empty(mine.FindAll("#read-only-banner"));
        Assert.Contains("private", mine.Find("#owner-chip").TextContent);
        Assert.NotNull(mine.Find("#share-toggle"));

        var theirs = Open(id, Bob);
        theirs.WaitForAssertion(() => Assert.Contains("private to its owner", theirs.Find("#access-denied").TextContent));
        Assert.Empty(theirs.FindAll("#stage-board, .stage-card, #chat-panel"));
    }

    [Fact]
    public async Task AViewerCannotStartExperimentsOrReRunAndSeesOnlySharedOnesInHistory()
    {
        var shared = await RunAsync("alice-id", shared: true);
        var hidden = await RunAsync("alice-id", shared: false);

        var form = Render<NewExperiment>(p => p.AddCascadingValue(Carol));
        Assert.Contains("review experiments but not start them", form.Find("#view-only").TextContent);
        Assert.Empty(form.FindAll("#run-button"));

        var page = Open(shared, Carol);
        page.WaitForAssertion(() => Assert.NotNull(page.Find("#read-only-banner")));
        Assert.Empty(page.FindAll("#run-again"));
        Assert.Empty(page.FindAll("#rerun-menu"));

        var history = Render<History>(p => p.AddCascadingValue(Carol));
        history.WaitForAssertion(() => Assert.Single(history.FindAll("#history-table tbody tr")));
        Assert.Equal(shared.ToString(), history.Find("#history-table tbody tr").GetAttribute("data-id"));
        Assert.DoesNotContain(hidden.ToString(), history.Markup);
        Assert.Empty(history.FindAll("#bundle-import"));
        Assert.Empty(history.FindAll("#history-table tbody tr button[aria-label^='Delete']"));
    }

    [Fact]
    public void LanguageModelSettingsAreForAdminsOnly()
    {
        var editor = Render<Settings>(p => p.AddCascadingValue(Bob));
        Assert.Contains("for admins", editor.Find("#access-denied").TextContent);
        Assert.Empty(editor.FindAll("#llm-settings"));

        var admin = Render<Settings>(p => p.AddCascadingValue(new Viewer("root", AccessLevel.Admin, true, "root")));
        Assert.NotNull(admin.Find("#llm-settings"));
    }
}
