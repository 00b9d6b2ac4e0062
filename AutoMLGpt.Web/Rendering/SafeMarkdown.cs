using Markdig;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AutoMLGpt.Web.Rendering;

/// <summary>
/// Markdown from cards and language models rendered to HTML that cannot run anything: raw HTML is disabled (it is
/// shown as text), links keep only http, https and mailto, and images are never loaded (shown as their alt text).
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    private static readonly string[] AllowedSchemes = ["http", "https", "mailto"];

    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrEmpty(markdown)) return "";
        MarkdownDocument document;
        try { document = Markdown.Parse(markdown, Pipeline); }
        catch (ArgumentException)
        {
            // Markdig refuses nesting deeper than 128 levels; such text is shown as plain, encoded text.
            return "<pre>" + System.Net.WebUtility.HtmlEncode(markdown) + "</pre>";
        }
        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (link.IsImage)
            {
                // Replace the image by its alt text: no request leaves the browser for model-chosen URLs.
                var alt = string.Concat(link.Descendants<LiteralInline>().Select(l => l.Content.ToString()));
                link.ReplaceBy(new LiteralInline($"[image: {alt}]"));
            }
            else if (!IsAllowed(link.Url))
            {
                link.Url = "";
            }
        }
        foreach (var autolink in document.Descendants<AutolinkInline>().Where(a => !IsAllowed(a.Url)).ToList())
            autolink.ReplaceBy(new LiteralInline(autolink.Url));

        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        writer.Flush();
        return writer.ToString();
    }

    internal static bool IsAllowed(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return false;
        // Browsers ignore control characters and whitespace inside schemes ("java\tscript:"); strip them before deciding.
        var cleaned = new string(url.Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray());
        var colon = cleaned.IndexOf(':');
        if (colon < 0) return !cleaned.StartsWith("//", StringComparison.Ordinal); // relative links are fine, protocol-relative are not
        var slash = cleaned.IndexOfAny(['/', '?', '#']);
        if (slash >= 0 && slash < colon) return true; // the colon is in a path or query, not a scheme
        var scheme = cleaned[..colon];
        return AllowedSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase);
    }
}
