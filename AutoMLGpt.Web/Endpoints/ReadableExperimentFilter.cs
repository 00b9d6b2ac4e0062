using AutoMLGpt.Web.Access;

namespace AutoMLGpt.Web.Endpoints;

/// <summary>
/// The one access check of every endpoint under an experiment or a training job: the viewer must be able to read the
/// experiment (<see cref="AccessResults.ExperimentAsync"/>, the same rule as the pages), answered before anything is read.
/// The route's <c>{id}</c> names the experiment, or with <see cref="ForTrainingJob"/> the job whose experiment it is.
/// </summary>
internal sealed class ReadableExperimentFilter(bool forTrainingJob) : IEndpointFilter
{
    public static ReadableExperimentFilter ForExperiment { get; } = new(false);
    public static ReadableExperimentFilter ForTrainingJob { get; } = new(true);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!Guid.TryParse(http.Request.RouteValues["id"]?.ToString(), out var id)) return TypedResults.NotFound();
        if (forTrainingJob)
        {
            var jobs = http.RequestServices.GetRequiredService<Core.TrainingJobs.TrainingJobStore>();
            if (await jobs.ExperimentOfAsync(id, http.RequestAborted) is not { } experiment) return TypedResults.NotFound();
            id = experiment;
        }
        return await AccessResults.ExperimentAsync(http, id) ?? await next(context);
    }
}
