using System.Text;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;

namespace AutoMLGpt.Tests.Core;

/// <summary>An upload is profiled as it streams, in one pass and bounded memory, and says the same as a table read whole.</summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class StreamingProfileTests
{
    private static (DatasetProfile Profile, string? Notice) ProfileText(string text, string? label = null, Action<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, text, new UTF8Encoding(false));
            return DataProfiler.ProfileFile(path, label, new CsvReadOptions(), cancellationToken, progress);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("adult")]
    [InlineData("mushroom")]
    [InlineData("concrete_strength")]
    [InlineData("pima_indians_diabetes")]
    public void AStreamedProfileSaysWhatTheWholeTableSays(string dataset)
    {
        var options = new CsvReadOptions();
        var whole = DataProfiler.Profile(CsvReader.Read(SharedData.Csv(dataset)));
        var (streamed, notice) = DataProfiler.ProfileFile(SharedData.Csv(dataset), null, options, CancellationToken.None);
        Assert.Null(notice);
        Assert.Equal(whole.Rows, streamed.Rows);
        Assert.Equal(whole.LabelColumn, streamed.LabelColumn);
        Assert.Equal(whole.SuggestedTask, streamed.SuggestedTask);
        Assert.Equal(whole.SuggestedMetric, streamed.SuggestedMetric);
        Assert.Equal(whole.ClassCounts, streamed.ClassCounts);
        foreach (var (a, b) in whole.Columns.Zip(streamed.Columns))
        {
            Assert.Equal((a.Name, a.Kind, a.Missing, a.Distinct, a.DistinctIsEstimate), (b.Name, b.Kind, b.Missing, b.Distinct, b.DistinctIsEstimate));
            Assert.Equal(a.Min, b.Min);
            Assert.Equal(a.Max, b.Max);
            Assert.Equal(a.TopValues, b.TopValues);
        }
        // The reference card's missing cells, counted in the one pass.
        Assert.Equal(SharedData.Card(dataset).Card.Samples, streamed.Rows);
    }

    [Fact]
    public void ColumnsWithManyDistinctValuesAreEstimatedWithinAFewPercentAndSaySo()
    {
        var rows = Enumerable.Range(0, 60_000).Select(i => $"id{i},{i % 7},{(i % 3 == 0 ? "yes" : "no")}");
        var (profile, _) = ProfileText("key,small,label\n" + string.Join("\n", rows) + "\n");
        var key = profile.Column("key");
        Assert.True(key.DistinctIsEstimate);
        Assert.InRange(key.Distinct, 60_000 * 0.95, 60_000 * 1.05);
        var small = profile.Column("small");
        Assert.False(small.DistinctIsEstimate);
        Assert.Equal(7, small.Distinct);
        Assert.Equal([("no", 40_000), ("yes", 20_000)], profile.ClassCounts);
        Assert.Equal("label", profile.LabelColumn);
    }

    [Fact]
    public void ProgressRisesToTheWholeFileAndCancelStopsTheRead()
    {
        var text = "a,b,label\n" + string.Join("\n", Enumerable.Range(0, 50_000).Select(i => $"{i},{i * 0.5},{i % 2}")) + "\n";
        var seen = new List<double>();
        ProfileText(text, progress: seen.Add);
        Assert.True(seen.Count >= 3, $"only {seen.Count} progress reports");
        Assert.Equal(seen.Order(), seen);
        Assert.Equal(1, seen[^1]);

        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => ProfileText(text, progress: _ => cancel.Cancel(), cancellationToken: cancel.Token));
    }

    [Fact]
    public void AQuoteInsideAnUnquotedFieldIsAnErrorNotRowsMerged()
    {
        // Sep alone would open a quote at 5'10" and run it into the next row.
        var error = Assert.Throws<CsvFormatException>(() => ProfileText("height,label\n5'10\",a\n6'1\",b\n")).Message;
        Assert.Contains("Row 2", error);
        Assert.Contains("Quote the whole field", error);
        var (quoted, _) = ProfileText("height,label\n\"5'10\"\"\",a\n\"6'1\"\"\",b\n");
        Assert.Equal(2, quoted.Rows);
        Assert.Equal([("5'10\"", 1), ("6'1\"", 1)], quoted.Column("height").TopValues.OrderBy(t => t.Value, StringComparer.Ordinal));
    }

    [Fact]
    public void BlankLinesAnywhereAreSkippedAndLineNumbersStayTheFiles()
    {
        var (profile, _) = ProfileText("a,label\n1,x\n\n2,y\n\n");
        Assert.Equal(2, profile.Rows);
        var error = Assert.Throws<CsvFormatException>(() => ProfileText("a,label\n1,x\n\n2\n")).Message;
        Assert.StartsWith("Row 4 has 1 fields", error);
    }

    [Fact]
    public async Task AnIntakeReportsSavingThenProfilingAndKeepsNothingWhenTheFileIsBad()
    {
        var folders = new DataFolders(Directory.CreateTempSubdirectory("automlgpt-intake-").FullName);
        try
        {
            var intake = new DatasetIntake(folders, new TrainingOptions());
            var reports = new List<IntakeProgress>();
            var progress = new SynchronousProgress<IntakeProgress>(reports.Add);
            var bytes = await File.ReadAllBytesAsync(SharedData.Csv("adult"));
            await using (var csv = new MemoryStream(bytes))
                await intake.AcceptAsync(csv, "adult.csv", CancellationToken.None, progress: progress, contentLength: bytes.Length);
            Assert.Equal(IntakeStep.Saving, reports[0].Step);
            Assert.Equal(IntakeStep.Profiling, reports[^1].Step);
            Assert.Equal(1, reports[^1].Fraction);
            Assert.Contains(reports, r => r.Step == IntakeStep.Saving && r.Fraction is > 0 and < 1);
            Assert.True(reports.SkipWhile(r => r.Step == IntakeStep.Saving).All(r => r.Step == IntakeStep.Profiling));

            await using (var bad = new MemoryStream("a,label\n1,x\n2\n"u8.ToArray()))
                await Assert.ThrowsAsync<CsvFormatException>(() => intake.AcceptAsync(bad, "bad.csv", CancellationToken.None, progress: progress));
            Assert.Single(Directory.GetFiles(folders.Uploads)); // the bad file was not kept
        }
        finally { Directory.Delete(folders.Root, true); }
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the test wants the reports in order, at once.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) { lock (this) report(value); }
    }
}
