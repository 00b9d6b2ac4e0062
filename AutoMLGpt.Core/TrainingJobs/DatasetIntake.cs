using AutoMLGpt.Core.Training;
using System.IO.Compression;
using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>
/// A CSV accepted for an experiment: where it is saved, its profile, a name safe to show, and what the reader said about
/// its encoding. Not the table itself: the page keeps this for as long as the circuit lives, and the rows are on disk.
/// </summary>
public sealed record IntakeResult(string DatasetFile, DatasetProfile Profile, string DisplayName, string? Notice = null);

/// <summary>How far an intake is: saving the upload, then profiling it; <paramref name="Fraction"/> is of that step (null: unknown).</summary>
public sealed record IntakeProgress(IntakeStep Step, double? Fraction);

public enum IntakeStep { Saving, Profiling }

/// <summary>
/// Takes a CSV in: streamed to the data folder under a generated name, read strictly, profiled. A file that cannot be
/// read is deleted, so nothing half-accepted stays behind. The same path serves uploads and the examples' shipped data.
/// The file is profiled as it streams (<see cref="DataProfiler.ProfileFile"/>): the web process never holds it whole.
/// </summary>
public sealed class DatasetIntake(DataFolders folders, TrainingOptions options)
{
    public long MaxBytes => options.MaxUploadBytes;

    /// <exception cref="CsvFormatException">The file is not a CSV the app can read; the message says why.</exception>
    /// <param name="labelColumn">The label when it is known (an example's card); otherwise the profile guesses it.</param>
    /// <param name="progress">Told, now and then, how far saving and profiling are.</param>
    /// <param name="contentLength">The upload's size when the caller knows it (a browser says), for saving's progress.</param>
    public async Task<IntakeResult> AcceptAsync(Stream content, string fileName, CancellationToken cancellationToken,
        string? labelColumn = null, IProgress<IntakeProgress>? progress = null, long? contentLength = null)
    {
        progress?.Report(new IntakeProgress(IntakeStep.Saving, contentLength is > 0 ? 0 : null));
        Action<long>? saved = progress is null || contentLength is not > 0 ? null
            : Throttled<long>(f => progress.Report(new IntakeProgress(IntakeStep.Saving, f)), bytes => Math.Min(1, bytes / (double)contentLength.Value));
        var file = await folders.SaveUploadAsync(content, options.MaxUploadBytes, cancellationToken, saved);
        try
        {
            var (profile, notice) = await ProfileFileAsync(file, labelColumn, progress, cancellationToken);
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
    public async Task<DatasetProfile> ReprofileAsync(string datasetFile, string labelColumn, CancellationToken cancellationToken, IProgress<IntakeProgress>? progress = null) =>
        (await ProfileFileAsync(datasetFile, labelColumn, progress, cancellationToken)).Profile;

    // Streamed and profiled off the caller's thread (a Blazor circuit's), one pass, no table kept.
    private Task<(DatasetProfile Profile, string? Notice)> ProfileFileAsync(string datasetFile, string? labelColumn, IProgress<IntakeProgress>? progress, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            progress?.Report(new IntakeProgress(IntakeStep.Profiling, 0));
            var read = progress is null ? null : Throttled<double>(f => progress.Report(new IntakeProgress(IntakeStep.Profiling, f)), f => f);
            return DataProfiler.ProfileFile(folders.DatasetPath(datasetFile), labelColumn, new CsvReadOptions { MaxBytes = options.MaxUploadBytes }, cancellationToken, read);
        }, cancellationToken);

    // A report only when the share moved by a percent or more, so a fast file does not flood a browser with renders.
    private static Action<T> Throttled<T>(Action<double> report, Func<T, double> fraction)
    {
        var last = -1.0;
        return value =>
        {
            var f = fraction(value);
            if (f - last < 0.01 && f < 1) return;
            last = f;
            report(f);
        };
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
