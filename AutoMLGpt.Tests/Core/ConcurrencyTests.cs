using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class ConcurrencyTests
{
    [Fact]
    public async Task SixteenParallelWritersOnSqliteLoseNoRowsAndSeeNoBusyErrors()
    {
        await using var db = await TestDatabase.CreateAsync();
        var writers = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var cards = PaperExamples.Adult.Create();
            cards.Data.Name = $"writer {i}";
            var id = await db.Store.CreateAsync(cards, "offline engine");
            foreach (var stage in StageNames.InOrder)
                await db.Store.SaveStageAsync(id, 1, stage, RunStatus.Succeeded, new StageOutput(stage, $"output {i} {stage}"), null);
            await db.Store.FinishAsync(id, 1, RunStatus.Succeeded, null);
            return id;
        })).ToList();
        var ids = await Task.WhenAll(writers); // any SQLITE_BUSY would surface here as an exception

        var saved = await db.Store.ListAsync(take: 100);
        Assert.Equal(16, saved.Count);
        Assert.All(saved, e => Assert.Equal((RunStatus.Succeeded, 4), (e.Status, e.StagesDone)));
        foreach (var id in ids)
            Assert.Equal(4, (await db.Store.GetAsync(id))!.Stages.Count(s => s.Output.Text.StartsWith("output ")));
    }
}
