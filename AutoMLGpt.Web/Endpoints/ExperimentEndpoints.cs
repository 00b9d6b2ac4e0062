using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Projects;
using AutoMLGpt.Core.Reports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AutoMLGpt.Web.Endpoints;

/// <summary>
/// What an experiment offers as files: a stage's output, the report, the bundle, the runnable project and notebook.
/// Generated text is downloaded, never interpreted by the browser (the security headers add <c>nosniff</c> to every answer).
/// </summary>
public static class ExperimentEndpoints
{
    public static IEndpointRouteBuilder MapExperimentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var experiment = endpoints.MapGroup("/experiments/{id:guid}").AddEndpointFilter(ReadableExperimentFilter.ForExperiment);
        experiment.MapGet("/download/{stage}", StageAsync);
        experiment.MapGet("/bundle", BundleAsync);
        experiment.MapGet("/report", ReportAsync);
        experiment.MapGet("/project", ProjectAsync);
        experiment.MapGet("/notebook", NotebookAsync);
        return endpoints;
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> StageAsync(Guid id, string stage, int? revision, ExperimentStore store,
        CancellationToken ct)
    {
        if (StageDownloads.Find(stage) is not { } download) return TypedResults.NotFound();
        var experiment = await store.GetAsync(id, revision, cancellationToken: ct);
        if (experiment?.Stage(download.Stage) is not { } saved) return TypedResults.NotFound();
        var name = $"{CardText.Slug(experiment.Cards.Data.Name)}_r{experiment.Revision}_{download.FileName}";
        return TypedResults.File(Encoding.UTF8.GetBytes(saved.Output.Text), "text/plain; charset=utf-8", name);
    }

    // Built into memory first, so a failure is a clean 500 and never a truncated zip.
    private static async Task<Results<FileContentHttpResult, NotFound>> BundleAsync(Guid id, ExperimentBundles bundles, ExperimentStore store,
        CancellationToken ct)
    {
        if (await store.GetAsync(id, cancellationToken: ct) is not { } experiment) return TypedResults.NotFound();
        var buffer = new MemoryStream();
        await bundles.ExportAsync(id, buffer, ct);
        return TypedResults.File(buffer.ToArray(), "application/zip", $"{CardText.Slug(experiment.Name)}_bundle.zip");
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> ReportAsync(Guid id, int? revision, ExperimentReviews reviews, CancellationToken ct)
    {
        if (await reviews.ReviewAsync(id, revision, ct) is not { } item) return TypedResults.NotFound();
        var report = ExperimentReport.Build(item, ExperimentReport.InlineImage);
        return TypedResults.File(Encoding.UTF8.GetBytes(report), "text/markdown; charset=utf-8", $"{CardText.Slug(item.Details.Name)}_r{item.Details.Revision}_report.md");
    }

    // The runnable project (zip) and the same as a Jupyter notebook: generated text, downloaded, never run here.
    private static async Task<Results<FileContentHttpResult, NotFound>> ProjectAsync(Guid id, int? revision, ProjectExports exports, CancellationToken ct)
    {
        if (await exports.ProjectAsync(id, revision, ct) is not { } found) return TypedResults.NotFound();
        var (experiment, project) = found;
        return TypedResults.File(project.ToZip(), "application/zip", $"{project.Name}_r{experiment.Revision}_project.zip");
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> NotebookAsync(Guid id, int? revision, ProjectExports exports, CancellationToken ct)
    {
        if (await exports.NotebookAsync(id, revision, ct) is not { } found) return TypedResults.NotFound();
        var (experiment, notebook) = found;
        return TypedResults.File(Encoding.UTF8.GetBytes(notebook), "application/x-ipynb+json", $"{CardText.Slug(experiment.Cards.Data.Name)}_r{experiment.Revision}.ipynb");
    }
}
