using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Web.Components.Stages;
using Bunit;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class StageViewTests : WebTestContext
{
    private static async Task<IReadOnlyList<StageState>> CompletedStagesAsync(ExperimentCards cards)
    {
        var engine = new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 });
        var stages = StageState.AllPending().ToList();
        await foreach (var u in PipelineRunner.RunAsync(engine, cards, CancellationToken.None))
            if (u.Output is { } o) stages[(int)u.Stage] = new StageState(u.Stage, RunStatus.Succeeded, o.Text, o);
        return stages;
    }

    [Fact]
    public async Task BoardShowsScriptTableLogAndChartOfACompletedRun()
    {
        var stages = await CompletedStagesAsync(PaperExamples.Adult.Create());
        var id = Guid.NewGuid();
        var cut = Render<StageBoard>(p => p.Add(x => x.Saved, stages).Add(x => x.ExperimentId, id));

        Assert.Equal(4, cut.FindAll("[data-status='succeeded']").Count);
        Assert.NotEmpty(cut.FindAll("#script-code span.kw"));
        var rows = cut.FindAll("#hp-table tbody tr");
        Assert.Equal(stages[2].Output!.Hyperparameters!.Count, rows.Count);
        Assert.Contains("learning_rate", rows.Select(r => r.Children[0].TextContent));
        Assert.Contains("PREDICTION", cut.Find("#training-log").TextContent);
        // LLM09: the log is a prediction, and says so in its title, its chart and its text.
        Assert.Contains("Predicted training log", cut.Find("#stage-TrainingLog").TextContent);
        Assert.Contains("Predicted validation", cut.Find("#stage-TrainingLog .chart").TextContent);
        Assert.Single(cut.FindAll(".chart svg polyline.series"));
        Assert.Equal($"/experiments/{id}/download/script", cut.Find("a.download-button").GetAttribute("href"));
    }

    [Fact]
    public void PendingStagesShowWhatTheyWaitFor()
    {
        var cut = Render<StageBoard>(p => p.Add(x => x.Saved, StageState.AllPending()).Add(x => x.Placeholder, "Press Run."));
        Assert.Equal(4, cut.FindAll(".stage-placeholder").Count);
        Assert.Empty(cut.FindAll("a.download-button"));
    }

    [Fact]
    public void APartialStageIsMarkedAndKeepsItsText()
    {
        var stages = StageState.AllPending().ToList();
        stages[0] = new StageState(StageKind.DataProcessing, RunStatus.Cancelled, "import pandas as pd\n");
        var cut = Render<StageBoard>(p => p.Add(x => x.Saved, stages));
        var panel = cut.Find("#stage-DataProcessing");
        Assert.Contains("stopped: partial", panel.TextContent);
        Assert.Contains("import", panel.TextContent);
    }

    [Fact]
    public void ScriptsAreEncodedNotInterpreted()
    {
        var cut = Render<ScriptView>(p => p.Add(x => x.Text, "print('<script>alert(1)</script>')  # <b>bold</b>"));
        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("b"));
        Assert.Contains("<script>alert(1)</script>", cut.Find("#script-code").TextContent);
    }

    [Fact]
    public void WhileStreamingTheHyperparameterStageShowsItsTextAsMarkdown()
    {
        var cut = Render<HyperparameterTable>(p => p.Add(x => x.Text, "| name | value |\n|---|---|\n| lr | 0.1 |"));
        Assert.Empty(cut.FindAll("#hp-table"));
        Assert.Contains("0.1", cut.Find(".markdown-body table").TextContent);
    }

    [Fact]
    public void AStageWaitingForTextShowsAProgressBarAndAStreamingOneShowsItsText()
    {
        var stages = StageState.AllPending().ToList();
        stages[0] = new StageState(StageKind.DataProcessing, RunStatus.Running, "");
        stages[1] = new StageState(StageKind.ModelArchitecture, RunStatus.Running, "**Input**: 14 col");
        var cut = Render<StageBoard>(p => p.Add(x => x.Saved, stages));
        Assert.Single(cut.FindAll("#stage-DataProcessing .mud-progress-linear"));
        Assert.Empty(cut.FindAll("#stage-ModelArchitecture .mud-progress-linear"));
        Assert.Contains("14 col", cut.Find("#stage-ModelArchitecture").TextContent);
        Assert.Equal("running", cut.Find("#stage-ModelArchitecture").GetAttribute("data-status"));
    }
}
