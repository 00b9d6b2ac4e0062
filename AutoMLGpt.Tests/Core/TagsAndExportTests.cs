using System.Text.Json;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class TagsAndExportTests
{
    private static async Task<Guid> RunAsync(TestDatabase db, ExperimentCards cards)
    {
        var plan = await db.Runner.PlanFirstRunAsync(cards, new OfflineEngine(new OfflineEngineOptions { StreamDelayMilliseconds = 0 }));
        await foreach (var _ in db.Runner.RunAsync(plan, CancellationToken.None)) { }
        return plan.ExperimentId;
    }

    [Fact]
    public async Task TagsAreNormalisedFilteredAsWholeTagsAndCounted()
    {
        await using var db = await TestDatabase.CreateAsync();
        var adult = await RunAsync(db, PaperExamples.Adult.Create());
        var coco = await RunAsync(db, PaperExamples.Coco.Create());
        Assert.Equal(["baseline", "census"], await db.Store.SetTagsAsync(adult, [" #Baseline", "census", "baseline", ""]));
        await db.Store.SetTagsAsync(coco, ["baseline-2"]);

        Assert.Equal(adult, Assert.Single(await db.Store.QueryAsync(new HistoryQuery(Tag: "baseline"))).Id); // not baseline-2
        Assert.Equal(coco, Assert.Single(await db.Store.QueryAsync(new HistoryQuery(Tag: "#BASELINE-2"))).Id);
        Assert.Equal(["baseline", "census"], (await db.Store.GetAsync(adult))!.TagList);
        Assert.Equal([("baseline", 1), ("baseline-2", 1), ("census", 1)], await db.Store.TagsAsync());

        var bad = await Assert.ThrowsAsync<CardValidationException>(() => db.Store.SetTagsAsync(adult, ["ok", "no spaces allowed"]));
        Assert.Contains("letters, digits", bad.Errors[0].Message);
        await Assert.ThrowsAsync<CardValidationException>(() => db.Store.SetTagsAsync(adult, Enumerable.Range(0, 13).Select(i => $"t{i}")));
        Assert.Equal(["baseline", "census"], (await db.Store.GetAsync(adult))!.TagList); // nothing half-saved
    }

    [Fact]
    public async Task TheFilteredHistoryExportsAsCsvAndJsonWithTagsMetricsAndHyperparameters()
    {
        await using var db = await TestDatabase.CreateAsync();
        var adult = await RunAsync(db, PaperExamples.Adult.Create());
        var coco = await RunAsync(db, PaperExamples.Coco.Create());
        await db.Store.SetTagsAsync(adult, ["tabular", "census"]);
        await db.Store.UpdateNotesAsync(coco, (await db.Store.GetAsync(coco))!.Version, "=HYPERLINK(\"http://evil\"),\"x\"", "");
        var export = db.Services.GetRequiredService<HistoryExport>();

        var csv = await export.CsvAsync(new HistoryQuery());
        var table = CsvTable(csv);
        Assert.Equal(3, table.Count); // header + two experiments
        var header = table[0];
        var adultRow = table.Single(r => r[0] == adult.ToString());
        Assert.Equal("tabular;census", adultRow[header.IndexOf("tags")]);
        Assert.Equal("accuracy", adultRow[header.IndexOf("metric")].ToLowerInvariant());
        Assert.True(double.TryParse(adultRow[header.IndexOf("predicted")], System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Contains("hp_max_depth", header);
        Assert.NotEqual("", adultRow[header.IndexOf("hp_max_depth")]);
        var cocoRow = table.Single(r => r[0] == coco.ToString());
        Assert.StartsWith("'=HYPERLINK", cocoRow[header.IndexOf("name")]); // a spreadsheet shows it as text, never a formula

        var filtered = CsvTable(await export.CsvAsync(HistoryExport.FromQuery(new Dictionary<string, string?> { ["tag"] = "census" }.GetValueOrDefault)));
        Assert.Equal(2, filtered.Count);

        using var json = JsonDocument.Parse(await export.JsonAsync(new HistoryQuery(Tag: "tabular")));
        var only = Assert.Single(json.RootElement.GetProperty("experiments").EnumerateArray().ToList());
        Assert.Equal(["tabular", "census"], only.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(only.GetProperty("hyperparameters").TryGetProperty("learning_rate", out _));
        Assert.Equal("tabular", json.RootElement.GetProperty("filter").GetProperty("tag").GetString());
    }

    [Fact]
    public void TheHistoryFilterSurvivesTheUrl()
    {
        var q = new HistoryQuery("adult & co", RunStatus.Succeeded, "offline engine", new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc), null,
            HistorySort.Metric, Descending: false, PinnedOnly: true, Tag: "census");
        var values = HistoryExport.ToQueryString(q).Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => (string?)Uri.UnescapeDataString(p[1]));
        var back = HistoryExport.FromQuery(values.GetValueOrDefault);
        Assert.Equal(q with { Take = back.Take }, back);
    }

    // A small RFC 4180 reader, so the test does not trust the writer's own notion of quoting.
    private static List<List<string>> CsvTable(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { row.Add(cell.ToString()); cell.Clear(); rows.Add(row); row = []; }
            else cell.Append(c);
        }
        return rows;
    }
}
