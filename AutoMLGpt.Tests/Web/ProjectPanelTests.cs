using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;
using AutoMLGpt.Web.Components.Pages.Experiments;
using Bunit;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class ProjectPanelTests : WebTestContext
{
    protected override bool NeedsDatabase => true;

    [Fact]
    public async Task AModelWrittenScriptIsCheckedNotRunAndItsFindingsGoToTheChat()
    {
        await Python.RequireAsync("pyflakes");
        var id = await Database.Store.CreateAsync(PaperExamples.Adult.Create(), "LLM fake-model");
        var script = "Here is the script:\n```python\nimport pandas as pd\ndf = pd.read_csv(path)\n```\n";
        await Database.Store.SaveStageAsync(id, 1, StageKind.DataProcessing, RunStatus.Succeeded, new StageOutput(StageKind.DataProcessing, script), null);
        await Database.Store.FinishAsync(id, 1, RunStatus.Succeeded, null);

        var cut = Render<ExperimentPage>(p => p.Add(x => x.Id, id));
        cut.WaitForAssertion(() => Assert.Contains("written by a language model", cut.Find("#project-panel").TextContent));
        Assert.Equal($"/experiments/{id}/project?revision=1", cut.Find("#download-project").GetAttribute("href"));
        Assert.Equal($"/experiments/{id}/notebook?revision=1", cut.Find("#download-notebook").GetAttribute("href"));

        cut.Find("#check-script").Click();
        cut.WaitForAssertion(() => Assert.Contains("undefined name 'path'", cut.Find("#check-findings").TextContent), TimeSpan.FromSeconds(30));
        Assert.Contains("empty environment", cut.Find("#check-result").TextContent); // the isolation is named

        cut.Find("#ask-fix").Click();
        cut.WaitForAssertion(() =>
        {
            var messages = Database.Store.GetAsync(id).GetAwaiter().GetResult()!.Messages;
            Assert.Contains(messages, m => m.Role == "user" && m.Content.Contains("undefined name 'path'"));
        }, TimeSpan.FromSeconds(30));
    }
}
