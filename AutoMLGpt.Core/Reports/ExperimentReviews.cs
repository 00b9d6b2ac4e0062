using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;

namespace AutoMLGpt.Core.Reports;

/// <summary>An experiment as shown in a comparison or a report: one revision's stages plus its training runs.</summary>
public sealed record ReviewedExperiment(ExperimentDetails Details, IReadOnlyList<TrainingJobView> Training)
{
    public PredictedCurve? Predicted => Details.Stage(StageKind.TrainingLog)?.Output.Curve;

    /// <summary>The latest finished real training run of the shown revision, else of any revision.</summary>
    public TrainingJobView? LatestTrained =>
        Training.Where(t => t.Status == RunStatus.Succeeded && t.Result is not null)
            .OrderByDescending(t => t.Revision == Details.Revision).ThenByDescending(t => t.CompletedUtc).FirstOrDefault();

    public string Label => $"{Details.Name} (r{Details.Revision})";
}

/// <summary>
/// The review read model: an experiment's revision with its training runs, as compare, reports and bundles show it.
/// Reads only; the stores stay the writers.
/// </summary>
public sealed class ExperimentReviews(ExperimentStore store, TrainingJobStore jobs)
{
    public async Task<ReviewedExperiment?> ReviewAsync(Guid id, int? revision = null, CancellationToken cancellationToken = default)
    {
        var details = await store.GetAsync(id, revision, cancellationToken: cancellationToken);
        return details is null ? null : new ReviewedExperiment(details, await jobs.ForExperimentAsync(id, cancellationToken));
    }

    /// <summary>The experiments named by "id" or "id:revision" keys, in order; unknown or malformed keys are skipped.</summary>
    public async Task<IReadOnlyList<ReviewedExperiment>> ReviewManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        var items = new List<ReviewedExperiment>();
        foreach (var key in keys)
        {
            var pieces = key.Split(':');
            int? revision = pieces.Length > 1 && int.TryParse(pieces[1], out var r) ? r : null;
            if (Guid.TryParse(pieces[0], out var id) && await ReviewAsync(id, revision, cancellationToken) is { } item) items.Add(item);
        }
        return items;
    }
}
