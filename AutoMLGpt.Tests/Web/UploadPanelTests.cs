using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Web.Components.Training;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Web;

/// <summary>The upload panel: a file becomes a profile and a drafted card, a bad file an error that says what to do.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class UploadPanelTests : WebTestContext, IDisposable
{
    private readonly DataFolders _folders = new(Directory.CreateTempSubdirectory("automlgpt-upload-").FullName);

    public UploadPanelTests() => Services.AddSingleton(new DatasetIntake(_folders, new TrainingOptions()));

    void IDisposable.Dispose() => Directory.Delete(_folders.Root, recursive: true);

    [Fact]
    public void AnUploadShowsItsProfileWithEstimatedCountsMarkedAndLocksThePageMeanwhile()
    {
        UploadPanel.Accepted? accepted = null;
        var busy = new List<bool>();
        var cut = Render<UploadPanel>(p => p.Add(x => x.OnAccepted, (UploadPanel.Accepted a) => accepted = a).Add(x => x.OnBusyChanged, (bool b) => busy.Add(b)));
        var rows = string.Join("\n", Enumerable.Range(0, 20_000).Select(i => $"user{i},{i % 5},{(i % 4 == 0 ? "churned" : "stayed")}"));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("user_id,plan,status\n" + rows + "\n", "customers.csv"));

        cut.WaitForAssertion(() => Assert.NotNull(accepted), TimeSpan.FromSeconds(10));
        Assert.Equal([true, false], busy);
        Assert.Equal("status", accepted!.Card!.LabelColumn);
        Assert.Equal(20_000, accepted.Card.Samples);
        cut.WaitForAssertion(() => Assert.Contains("≈", cut.Find("#upload-panel").TextContent));
        Assert.Empty(cut.FindAll("#upload-progress")); // done: no progress line left behind
    }

    [Fact]
    public void ARaggedFileSaysWhichRowAndNothingIsAccepted()
    {
        UploadPanel.Accepted? accepted = null;
        var cut = Render<UploadPanel>(p => p.Add(x => x.OnAccepted, (UploadPanel.Accepted a) => accepted = a));
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("a,b,label\n1,2,x\n3,4\n", "ragged.csv"));
        cut.WaitForAssertion(() => Assert.Contains("ragged: Row 3 has 2 fields but the header has 3", cut.Find("#upload-error").TextContent), TimeSpan.FromSeconds(10));
        Assert.Null(accepted);
        Assert.Empty(Directory.GetFiles(_folders.Uploads)); // the refused file is not kept
    }
}
