using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Cards.HuggingFace;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Tests.Fakes;
using AutoMLGpt.Web.Rendering;

namespace AutoMLGpt.Tests.Core;

/// <summary>
/// Every entry of the bad-input corpus through its parser or renderer: each gets its clear error or safe output,
/// none crashes. The tally is printed so CI logs show how much was tried.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Training)]
public sealed class BadInputCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void MarkdownFromModelsNeverYieldsLiveHtmlScriptUrlsOrRemoteImages()
    {
        var tried = 0;
        foreach (var payload in BadInputs.Markdown.Append(BadInputs.HugeMarkdown()))
        {
            var html = SafeMarkdown.ToHtml(payload);
            tried++;
            var lower = html.ToLowerInvariant();
            Assert.DoesNotContain("<script", lower);
            Assert.DoesNotContain("<img", lower);
            Assert.DoesNotContain("<iframe", lower);
            Assert.DoesNotContain("<svg", lower);
            Assert.DoesNotContain("<style", lower);
            Assert.DoesNotMatch(@"<[a-z][^>]*\son[a-z]+\s*=", lower); // an event handler on a real tag (escaped text is fine)
            foreach (var scheme in new[] { "javascript:", "vbscript:", "data:" })
                Assert.DoesNotContain($"href=\"{scheme}", lower.Replace("&#x9;", "").Replace("\t", "").Replace(" ", ""));
            Assert.DoesNotContain($"src=\"https://{BadInputs.EvilHost}", lower);
        }
        output.WriteLine($"markdown: {tried} payloads rendered, 0 crashes, 0 live scripts");
    }

    [Fact]
    public void CardTextWithControlOrDirectionCharactersIsRefusedAndTheRestIsKeptExactly()
    {
        foreach (var (text, refused) in BadInputs.CardText)
        {
            var card = PaperExamples.Adult.Create();
            card.Data.Name = text;
            card.Model.Description = text;
            var errors = CardValidator.Validate(card);
            if (refused) Assert.Contains(errors, e => e.Message.Contains("control or text-direction"));
            else Assert.Empty(errors);
        }
        var huge = PaperExamples.Adult.Create();
        huge.Data.Name = new string('n', 1_000_000);
        huge.Data.Description = new string('d', 1_000_000);
        huge.Data.LabelSpace = new string('l', 1_000_000);
        var messages = CardValidator.Validate(huge).Select(e => e.Message).ToList();
        Assert.Contains("Dataset name is too long: 1,000,000 characters, at most 200.", messages);
        Assert.Contains("Description is too long: 1,000,000 characters, at most 8,000.", messages);
        Assert.Contains("Label space is too long: 1,000,000 characters, at most 1,000.", messages);
        output.WriteLine($"card text: {BadInputs.CardText.Count + 3} inputs, {BadInputs.CardText.Count(c => c.Refused) + 3} refused with a field message, 0 crashes");
    }

    [Fact]
    public async Task CardTextThatIsAllowedSurvivesTheDatabaseExactly()
    {
        await using var db = await TestDatabase.CreateAsync();
        foreach (var (text, _) in BadInputs.CardText.Where(c => !c.Refused))
        {
            var card = PaperExamples.Adult.Create();
            card.Data.Name = text;
            var id = await db.Store.CreateAsync(card, "offline engine");
            Assert.Equal(text, (await db.Store.GetAsync(id))!.Cards.Data.Name);
        }
    }

    [Fact]
    public void EveryBadCsvGetsItsSpecificErrorAndGoodOddFilesRead()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-csv-corpus-").FullName;
        try
        {
            foreach (var (name, bytes, error) in BadInputs.Csv)
            {
                var path = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".csv");
                File.WriteAllBytes(path, bytes);
                if (error is null)
                {
                    var table = CsvReader.Read(path);
                    Assert.True(table.Rows.Count >= 1, name);
                    if (name.StartsWith("utf-16", StringComparison.Ordinal)) Assert.Contains("Unicode", table.Notice);
                    else Assert.Null(table.Notice);
                    if (name == "mixed types")
                    {
                        // N/A, #N/A and empty are missing, never a silent 0; "1,5" and 1e309 are not numbers.
                        var column = DataProfiler.Profile(table, "label").Column("a");
                        output.WriteLine($"mixed column: {column.Kind}, {column.Missing} missing, {column.Distinct} distinct");
                        Assert.True(column.Kind != ColumnKind.Numeric || column.Missing >= 3, $"{column.Kind} with {column.Missing} missing");
                        Assert.True(column.Missing >= 3, $"{column.Missing} missing");
                    }
                    continue;
                }
                var ex = Record.Exception(() => CsvReader.Read(path)) as CsvFormatException;
                Assert.True(ex is not null, $"{name}: no CsvFormatException");
                Assert.True(ex.Message.Contains(error, StringComparison.OrdinalIgnoreCase), $"{name}: \"{ex.Message}\" lacks \"{error}\"");
            }
        }
        finally { Directory.Delete(folder, true); }
        output.WriteLine($"csv: {BadInputs.Csv.Count} files, {BadInputs.Csv.Count(c => c.Error is not null)} refused with a specific message, 0 crashes");
    }

    [Fact]
    public void NoFileNameFromABrowserBecomesAPath()
    {
        var folders = new DataFolders(Directory.CreateTempSubdirectory("automlgpt-names-").FullName);
        try
        {
            foreach (var name in BadInputs.FileNames)
            {
                Assert.Throws<ArgumentException>(() => folders.DatasetPath(name));
                Assert.Throws<ArgumentException>(() => folders.ModelPath(name));
            }
            var generated = DataFolders.NewDatasetFile();
            Assert.Equal(Path.Combine(folders.Uploads, generated), folders.DatasetPath(generated));
            // As a label, every hostile name becomes plain text: no path, no control or bidi characters, bounded.
            foreach (var name in BadInputs.FileNames)
            {
                var label = AutoMLGpt.Core.TrainingJobs.DatasetIntake.DisplayName(name);
                Assert.InRange(label.Length, 1, 200);
                Assert.DoesNotContain('/', label);
                Assert.DoesNotContain('\\', label);
                Assert.DoesNotContain(label, c => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069');
            }
        }
        finally { Directory.Delete(folders.Root, true); }
        output.WriteLine($"file names: {BadInputs.FileNames.Count} refused as paths, 0 crashes");
    }

    [Fact]
    public void HostileYamlFailsFastWithASpecificMessageAndNothingIsInstantiated()
    {
        foreach (var (name, text, error) in BadInputs.Yaml)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            if (error is null)
            {
                var card = HuggingFaceCards.ImportDataCard(text).Card;
                Assert.NotNull(card);
                continue;
            }
            var ex = Assert.Throws<CardImportException>(() => HuggingFaceCards.ImportDataCard(text));
            Assert.True(ex.Message.Contains(error, StringComparison.OrdinalIgnoreCase), $"{name}: \"{ex.Message}\" lacks \"{error}\"");
            // Refused before it expands: measured in bytes allocated, which a loaded machine does not change (a time would).
            if (name == "alias bomb") Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 20_000_000, "alias bomb allocated too much");
        }
        output.WriteLine($"yaml: {BadInputs.Yaml.Count} documents, {BadInputs.Yaml.Count(y => y.Error is not null)} refused with a specific message, 0 crashes");
    }
}
