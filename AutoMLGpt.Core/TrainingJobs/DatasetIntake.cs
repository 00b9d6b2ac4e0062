using AutoMLGpt.Core.Training;
using System.IO.Compression;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>A CSV accepted for an experiment: where it is saved, its table and profile, and a name safe to show.</summary>
public sealed record IntakeResult(string DatasetFile, CsvTable Table, DatasetProfile Profile, string DisplayName);

/// <summary>
/// Takes a CSV in: streamed to the data folder under a generated name, read strictly, profiled. A file that cannot be
/// read is deleted, so nothing half-accepted stays behind. The same path serves uploads and the examples' shipped data.
/// </summary>
public sealed class DatasetIntake(DataFolders folders, TrainingOptions options)
{
    public long MaxBytes => options.MaxUploadBytes;

    /// <exception cref="CsvFormatException">The file is not a CSV the app can read; the message says why.</exception>
    /// <param name="labelColumn">The label when it is known (an example's card); otherwise the profile guesses it.</param>
    public async Task<IntakeResult> AcceptAsync(Stream content, string fileName, CancellationToken cancellationToken, string? labelColumn = null)
    {
        var file = await folders.SaveUploadAsync(content, options.MaxUploadBytes, cancellationToken);
        try
        {
            var path = folders.DatasetPath(file);
            var table = await Task.Run(() => CsvReader.Read(path, new CsvReadOptions { MaxBytes = options.MaxUploadBytes }), cancellationToken);
            var profile = DataProfiler.Profile(table, labelColumn);
            var result = new IntakeResult(file, table, profile, DisplayName(fileName));
            file = null;
            return result;
        }
        finally
        {
            if (file is not null) File.Delete(folders.DatasetPath(file)); // a file that could not be read is not kept
        }
    }

    /// <summary>The example's shipped data, accepted like an upload; null when the example has none.</summary>
    public async Task<IntakeResult?> ExampleAsync(ExampleExperiment example, CancellationToken cancellationToken)
    {
        if (example.DataResource is not { } resource) return null;
        await using var stream = typeof(DatasetIntake).Assembly.GetManifestResourceStream("AutoMLGpt.Examples." + resource)
            ?? throw new FileNotFoundException($"The example data {resource} is missing from the assembly.");
        await using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        return await AcceptAsync(gzip, resource, cancellationToken, example.Create().Data.LabelColumn);
    }

    /// <summary>A browser's file name as a label only: no path, no control or bidi characters, within the name limit.</summary>
    public static string DisplayName(string fileName) => CardText.SafeFileName(fileName, "uploaded dataset", dropExtension: true);
}
