using AutoMLGpt.Web.Rendering;

namespace AutoMLGpt.Tests.Web;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class SafeMarkdownTests
{
    [Fact]
    public void RawHtmlIsShownAsTextNotMarkup()
    {
        var html = SafeMarkdown.ToHtml("hello <script>alert(1)</script> <img src=x onerror=alert(1)>");
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JaVaScRiPt:alert(1))")]
    [InlineData("[x](java\tscript:alert(1))")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[x](vbscript:msgbox)")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[x](&#106;avascript:alert(1))")]
    [InlineData("[x]( javascript:alert(1))")]
    public void DangerousLinkSchemesAreRemoved(string markdown)
    {
        // Whatever Markdig makes of it (a link with its URL removed, or plain text), no href may carry the scheme.
        var hrefs = System.Text.RegularExpressions.Regex.Matches(SafeMarkdown.ToHtml(markdown), "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value);
        Assert.All(hrefs, h => Assert.DoesNotMatch("(?i)^\\s*(java|vb)?\\s*script|^\\s*data:", h));
    }

    [Fact]
    public void SafeLinksStayAndImagesAreNotLoaded()
    {
        var html = SafeMarkdown.ToHtml("[paper](https://arxiv.org/abs/2305.02499) ![plot](https://evil.example/track.png)");
        Assert.Contains("href=\"https://arxiv.org/abs/2305.02499\"", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("[image: plot]", html);
    }

    [Fact]
    public void PathologicalNestingFallsBackToEncodedText()
    {
        var deep = new string('>', 10_000) + " <b>x</b>";
        var html = SafeMarkdown.ToHtml(deep);
        Assert.DoesNotContain("<b>", html);
        Assert.Contains("&lt;b&gt;", html);
    }

    [Fact]
    public void TablesAndEmphasisRender()
    {
        var html = SafeMarkdown.ToHtml("**Input**: x\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        Assert.Contains("<strong>Input</strong>", html);
        Assert.Contains("<table>", html);
    }
}
