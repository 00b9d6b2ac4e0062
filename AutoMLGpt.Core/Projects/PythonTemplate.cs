using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace AutoMLGpt.Core.Projects;

/// <summary>
/// The Python the offline engine writes lives in <c>.py</c> files embedded in this assembly, so it is read, diffed and
/// linted as Python. A template stays valid Python as it is: a value goes where a string literal <c>"{{NAME}}"</c> stands
/// (replaced by a Python expression) or where <c>{{NAME}}</c> appears in a comment or string (replaced by text);
/// sections are comment lines (<c># {{#if NAME}}</c>, <c># {{#else}}</c>, <c># {{/if}}</c>), and <c># {{> path}}</c>
/// includes another template. A value the template needs but is not given is an error, never an empty hole.
/// </summary>
public static partial class PythonTemplate
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    /// <summary>Every embedded template by its path (<c>Families/XGBoost/train.py</c>, <c>DataScripts/audio.py</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(PythonTemplate).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..].Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    private const string Prefix = "AutoMLGpt.Python/";

    /// <summary>The template's text as embedded, before anything is filled in.</summary>
    public static string Source(string name) => Cache.GetOrAdd(name, static n =>
    {
        var resource = typeof(PythonTemplate).Assembly.GetManifestResourceNames()
            .FirstOrDefault(r => r.StartsWith(Prefix, StringComparison.Ordinal) && r[Prefix.Length..].Replace('\\', '/') == n)
            ?? throw new ArgumentException($"No Python template \"{n}\" is embedded.", nameof(name));
        using var stream = typeof(PythonTemplate).Assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().ReplaceLineEndings("\n");
    });

    /// <summary>The template with its includes expanded and both sides of every section kept: the file a linter reads.</summary>
    public static string Expanded(string name) => Render(name, null, new HashSet<string>(StringComparer.Ordinal));

    /// <param name="values">Python expressions for <c>"{{NAME}}"</c>, text for <c>{{NAME}}</c>; flags are "True"/"False".</param>
    public static string Render(string name, IReadOnlyDictionary<string, string> values) =>
        Render(name, values, new HashSet<string>(StringComparer.Ordinal));

    private static string Render(string name, IReadOnlyDictionary<string, string>? values, HashSet<string> including)
    {
        if (!including.Add(name)) throw new InvalidOperationException($"Python template {name} includes itself.");
        var output = new StringBuilder();
        var keep = new Stack<bool>();
        var lines = Source(name).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var last = i == lines.Length - 1;
            var directive = Directive().Match(line);
            if (directive.Success)
            {
                var (kind, argument) = (directive.Groups["kind"].Value, directive.Groups["arg"].Value.Trim());
                switch (kind)
                {
                    case "#if": keep.Push(values is null || Flag(name, argument, values)); break;
                    case "#else" when keep.Count > 0:
                        var taken = keep.Pop();
                        keep.Push(values is null || !taken);
                        break;
                    case "/if" when keep.Count > 0: keep.Pop(); break;
                    case ">": if (keep.All(k => k)) output.Append(Render(argument, values, including)); break;
                    default: throw new InvalidOperationException($"Python template {name}, line {i + 1}: \"{line.Trim()}\" has no matching #if.");
                }
                if (values is null && kind != ">") output.Append(line).Append('\n'); // the expanded file keeps the markers
                continue;
            }
            if (!keep.All(k => k)) continue;
            output.Append(values is null ? line : Fill(name, i + 1, line, values));
            if (!last) output.Append('\n');
        }
        if (keep.Count > 0) throw new InvalidOperationException($"Python template {name} has an #if that is never closed.");
        including.Remove(name);
        return output.ToString();
    }

    private static bool Flag(string template, string name, IReadOnlyDictionary<string, string> values) =>
        Value(template, name, values) switch
        {
            "True" => true,
            "False" => false,
            var v => throw new InvalidOperationException($"Python template {template}: #if {name} needs True or False, not \"{v}\"."),
        };

    private static string Value(string template, string name, IReadOnlyDictionary<string, string> values) =>
        values.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"Python template {template} needs a value for {name}.");

    private static string Fill(string template, int line, string text, IReadOnlyDictionary<string, string> values)
    {
        text = Expression().Replace(text, m => Value(template, m.Groups["name"].Value, values));
        return Placeholder().Replace(text, m => Value(template, m.Groups["name"].Value, values));
    }

    [GeneratedRegex(@"^\s*# \{\{(?<kind>#if|#else|/if|>)(?<arg>[^}]*)\}\}\s*$")]
    private static partial Regex Directive();

    [GeneratedRegex("\"\\{\\{(?<name>[A-Z][A-Z0-9_]*)\\}\\}\"")]
    private static partial Regex Expression();

    [GeneratedRegex(@"\{\{(?<name>[A-Z][A-Z0-9_]*)\}\}")]
    private static partial Regex Placeholder();
}
