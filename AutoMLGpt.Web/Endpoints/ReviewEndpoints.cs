using System.Globalization;
using System.Text;
using AutoMLGpt.Core.Cards.HuggingFace;
using AutoMLGpt.Core.Library;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Web.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AutoMLGpt.Web.Endpoints;

/// <summary>History's table as filtered, and a library card in Hugging Face's format: only what the viewer may read.</summary>
public static class ReviewEndpoints
{
    public static IEndpointRouteBuilder MapReviewEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/history/export.{format}", HistoryAsync);
        endpoints.MapGet("/cards/{id:guid}/export", CardAsync);
        return endpoints;
    }

    // The page links here with its filter; the viewer is added here, whatever the URL says.
    private static async Task<Results<FileContentHttpResult, NotFound>> HistoryAsync(string format, HistoryExport export, HttpContext http, CancellationToken ct)
    {
        var query = HistoryExport.FromQuery(key => http.Request.Query.TryGetValue(key, out var v) ? v.ToString() : null) with { VisibleTo = CurrentViewer.Of(http) };
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmm", CultureInfo.InvariantCulture);
        return format switch
        {
            "csv" => TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(await export.CsvAsync(query, ct))).ToArray(), "text/csv; charset=utf-8", $"automlgpt-history-{stamp}.csv"),
            "json" => TypedResults.File(Encoding.UTF8.GetBytes(await export.JsonAsync(query, ct)), "application/json; charset=utf-8", $"automlgpt-history-{stamp}.json"),
            _ => TypedResults.NotFound(),
        };
    }

    private static async Task<Results<FileContentHttpResult, NotFound, ContentHttpResult>> CardAsync(Guid id, CardLibrary library, HttpContext http, CancellationToken ct)
    {
        if (await library.GetAsync(id, ct) is not { } card) return TypedResults.NotFound();
        if (!CurrentViewer.Of(http).CanRead(card.Owner.OwnerId, card.Owner.Shared)) return AccessResults.Forbidden("This card is private to its owner; ask them to share it.");
        var text = card.Data is { } d ? HuggingFaceCards.ExportDataCard(d) : HuggingFaceCards.ExportModelCard(card.Model!);
        return TypedResults.File(Encoding.UTF8.GetBytes(text), "text/markdown; charset=utf-8", $"{Core.Cards.CardText.Slug(card.Name)}_{card.Kind.ToString().ToLowerInvariant()}_card.md");
    }
}
