using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Web.Rendering;

/// <summary>
/// A small server-side highlighter for the generated Python: every token is HTML-encoded before it is wrapped in a
/// span, so the result is safe to render as markup whatever the script contains.
/// </summary>
public static partial class PythonHighlighter
{
    private static readonly HashSet<string> Keywords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
        "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield",
    ];

    public static string ToHtml(string? code)
    {
        if (string.IsNullOrEmpty(code)) return "";
        var sb = new StringBuilder(code.Length * 2);
        var last = 0;
        foreach (Match m in Token().Matches(code))
        {
            sb.Append(WebUtility.HtmlEncode(code[last..m.Index]));
            var cls = m.Groups["com"].Success ? "com"
                : m.Groups["str"].Success ? "str"
                : m.Groups["dec"].Success ? "dec"
                : m.Groups["num"].Success ? "num"
                : Keywords.Contains(m.Value) ? "kw"
                : m.Groups["fn"].Success ? "fn" : null;
            var text = WebUtility.HtmlEncode(m.Value);
            sb.Append(cls is null ? text : $"<span class=\"{cls}\">{text}</span>");
            last = m.Index + m.Length;
        }
        sb.Append(WebUtility.HtmlEncode(code[last..]));
        return sb.ToString();
    }

    [GeneratedRegex("""
        (?<com>\#[^\n]*)
        |(?<str>[rbfRBF]{0,2}(?:\"\"\"[\s\S]*?(?:\"\"\"|$)|'''[\s\S]*?(?:'''|$)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?))
        |(?<dec>^[ \t]*@[\w.]+)
        |(?<num>\b\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?\b)
        |(?<fn>\b[A-Za-z_]\w*(?=\())
        |\b[A-Za-z_]\w*\b
        """, RegexOptions.IgnorePatternWhitespace | RegexOptions.Multiline)]
    private static partial Regex Token();
}
