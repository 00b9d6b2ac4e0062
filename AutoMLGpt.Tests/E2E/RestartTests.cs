using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Experiments;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.E2E;

[Trait(TestCategory.Name, TestCategory.Browser)]
public class RestartTests
{
    [Fact]
    public async Task ASavedExperimentIsStillListedAfterTheAppRestarts()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-restart-").FullName;
        try
        {
            Guid id;
            await using (var first = AppFixture.StartApp(folder, out _))
            {
                var store = first.Services.GetRequiredService<ExperimentStore>();
                id = await store.CreateAsync(PaperExamples.ImageNetSubset.Create(), "offline engine");
                await store.FinishAsync(id, 1, RunStatus.Succeeded, null);
            }
            await using var second = AppFixture.StartApp(folder, out var url);
            using var http = new HttpClient();
            var history = await http.GetStringAsync(url + "/history");
            Assert.Contains("ImageNet-100 (subset)", history);
            var page = await http.GetStringAsync($"{url}/experiments/{id}");
            Assert.Contains("ViT-B/16", page);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
