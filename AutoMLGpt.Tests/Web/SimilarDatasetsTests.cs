using Microsoft.Extensions.DependencyInjection;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Web.Components.Pages;
using AutoMLGpt.Web.Components.Pages.Experiments;
using AutoMLGpt.Tests.Fakes;
using Bunit;
using AutoMLGpt.Core.Knowledge.Catalogue;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class SimilarDatasetsTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task ATabularExperimentShowsNeighboursAndDroppingOneUpdatesTheTransferredTable()
    {
        // A held-out-style card: the penguins dataset described by hand, as a user would.
        var card = SharedData.Card("palmer_penguins").Card;
        card.Name = "penguin field study";
        var id = await Database.Store.CreateAsync(new ExperimentCards(card, ModelCatalogue.LightGbm.TemplateCard(), new ExperimentRequest()), "offline engine");
        var cut = Render<ExperimentPage>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("#similar-datasets")));

        var rows = cut.FindAll("#neighbours tbody tr");
        Assert.Equal(5, rows.Count);
        Assert.Contains(rows, r => r.TextContent.Contains("palmer_penguins")); // the pack's own penguins are the nearest
        var weights = cut.FindAll("#neighbours .weight").Select(w => w.TextContent.Trim()).ToList();
        Assert.Equal(100, weights.Take(3).Sum(w => int.Parse(w.TrimEnd('%'))), 1.0);
        // The zero-shot choice is shown with its evidence: one evaluated candidate, never an average.
        Assert.Contains("Zero-shot choice (stage C)", cut.Find("#zero-shot").TextContent);
        Assert.NotEmpty(cut.FindAll("#candidate-ranking tr.winner"));
        // Each candidate shows the evidence the safe rule reads: its gain bound, its bad cases, and whether it is offered.
        Assert.Contains("gain bound", cut.Find("#candidate-ranking thead").TextContent);
        Assert.All(cut.FindAll("#candidate-ranking tbody tr"), r => Assert.Equal(7, r.QuerySelectorAll("td").Length));
        var before = cut.Find("#transferred").TextContent;

        cut.FindAll("#neighbours input[type=checkbox]")[0].Change(false);
        cut.WaitForAssertion(() => Assert.NotEqual(before, cut.Find("#transferred").TextContent));
        Assert.Equal("0%", cut.FindAll("#neighbours .weight")[0].TextContent.Trim());
    }

    [Fact]
    public void SettingsShowTheActiveEncoderAndTheExperienceCount()
    {
        var cut = Render<Settings>();
        Assert.Contains("use-lite-static", cut.Find("#active-encoder").TextContent);
        Assert.Contains("CPU", cut.Find("#execution-provider").TextContent);
        Assert.Contains("35 from the knowledge pack", cut.Find("#experience-count").TextContent);
        Assert.Contains("80 LightGBM candidates × 35 datasets × 3 splits", cut.Find("#results-matrix").TextContent);
        Assert.Contains("card Accuracy", cut.Find("#forecast-calibration").TextContent);
        Assert.Equal("Sqlite", cut.Find("#db-provider").TextContent.Trim());
        // Training as this deployment runs it (the test database's defaults: in process, one process per job).
        Assert.Contains("in this app's own process", cut.Find("#training-where").TextContent);
        Assert.Contains("off (Training:Distributed:Processes = 1)", cut.Find("#training-distributed").TextContent);
    }

    [Fact]
    public void SettingsSayTrainingRunsInAChildProcessAndOnSeveralProcessesWhenConfigured()
    {
        var options = Services.GetRequiredService<AutoMLGpt.Core.TrainingJobs.TrainingOptions>();
        options.Isolation = "ChildProcess";
        options.Distributed = new AutoMLGpt.Core.Training.Distributed.DistributedTrainingOptions { Processes = 3, MinTrainRows = 500_000 };
        var cut = Render<Settings>();
        Assert.Contains("in a child process of this app", cut.Find("#training-where").TextContent);
        Assert.Contains("a crash or the limit fails the job, not the app", cut.Find("#training-where").TextContent);
        Assert.Contains("3 local processes on 127.0.0.1, LightGBM data-parallel, for tables of 500,000 training rows or more", cut.Find("#training-distributed").TextContent);
    }
}
