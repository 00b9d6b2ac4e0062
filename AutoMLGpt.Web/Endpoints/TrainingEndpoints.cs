using System.Text;
using AutoMLGpt.Core.Training;
using AutoMLGpt.Core.TrainingJobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AutoMLGpt.Web.Endpoints;

/// <summary>A training job's files: its model, in LightGBM's own text format, or a race's ensemble as a zip of them with its weights.</summary>
public static class TrainingEndpoints
{
    public static IEndpointRouteBuilder MapTrainingEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var job = endpoints.MapGroup("/training/{id:guid}").AddEndpointFilter(ReadableExperimentFilter.ForTrainingJob);
        job.MapGet("/model", ModelAsync);
        return endpoints;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ModelAsync(Guid id, TrainingJobStore jobs, DataFolders folders, CancellationToken ct)
    {
        if (await jobs.FindAsync(id, ct) is not { ModelFile: not null } job || await jobs.ModelTextAsync(job, folders, ct) is not { } model) return TypedResults.NotFound();
        if (EnsembleModel.TryParse(model) is { } ensemble)
            return TypedResults.File(ensemble.ToZip($"LightGBM ensemble of training job {id:N}"), "application/zip", $"lightgbm_ensemble_{id:N}.zip");
        return TypedResults.File(Encoding.UTF8.GetBytes(model), "text/plain; charset=utf-8", $"lightgbm_model_{id:N}.txt");
    }
}
