using AutoMLGpt.Core.Training;
using System.IO.Compression;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>
/// A CSV accepted for an experiment: where it is saved, its profile, a name safe to show, and what the reader said about
/// its encoding. Not the table itself: the page keeps this for as long as the circuit lives, and the rows are on disk.
/// </summary>
public sealed record IntakeResult(string DatasetFile, DatasetProfile Profile, string DisplayName, string? Notice = null);

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
            var (profile, notice) = await ProfileFileAsync(file, labelColumn, cancellationToken);
            var result = new IntakeResult(file, profile, DisplayName(fileName), notice);
            file = null;
            return result;
        }
        finally
        {
            if (file is not null) File.Delete(folders.DatasetPath(file)); // a file that could not be read is not kept
        }
    }

    /// <summary>The saved file profiled again with another label column (the user picked it), read from disk.</summary>
    public async Task<DatasetProfile> ReprofileAsync(string datasetFile, string labelColumn, CancellationToken cancellationToken) =>
        (await ProfileFileAsync(datasetFile, labelColumn, cancellationToken)).Profile;

    // Read and profiled off the caller's thread (a Blazor circuit's); the table is dropped once it is profiled.
    private Task<(DatasetProfile Profile, string? Notice)> ProfileFileAsync(string datasetFile, string? labelColumn, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            var table = CsvReader.Read(folders.DatasetPath(datasetFile), new CsvReadOptions { MaxBytes = options.MaxUploadBytes });
            cancellationToken.ThrowIfCancellationRequested();
            return (DataProfiler.Profile(table, labelColumn), table.Notice);
        }, cancellationToken);

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
