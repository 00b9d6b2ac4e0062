using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace AutoMLGpt.Core.Cards.HuggingFace;

/// <summary>Why a card file could not be read, in words that say what to fix.</summary>
public sealed class CardImportException(string message) : Exception(message);

/// <summary>
/// A Markdown file with YAML front matter (the Hugging Face card format), read as a plain tree: mappings become
/// ordered dictionaries, sequences lists and scalars strings. Nothing is ever instantiated from a YAML tag.
/// Hardened for files from strangers: the size is checked before parsing, anchors and aliases are refused (no
/// "billion laughs"), nesting and node counts are bounded, duplicate keys are an error.
/// </summary>
public sealed class FrontMatter
{
    public const int MaxFileChars = 1_000_000;
    public const int MaxYamlChars = 256_000;
    public const int MaxDepth = 32;
    public const int MaxNodes = 20_000;

    public IReadOnlyDictionary<string, object?> Yaml { get; }
    public string Body { get; }

    private FrontMatter(IReadOnlyDictionary<string, object?> yaml, string body) { Yaml = yaml; Body = body; }

    public static FrontMatter Parse(string text)
    {
        if (text.Length > MaxFileChars)
            throw new CardImportException($"The card is {text.Length:N0} characters; cards are at most {MaxFileChars:N0}.");
        text = text.TrimStart('\uFEFF').Replace("\r\n", "\n");
        if (!text.StartsWith("---\n", StringComparison.Ordinal) && text.Trim() != "---")
            return new FrontMatter(new Dictionary<string, object?>(), text);
        var end = text.IndexOf("\n---", 3, StringComparison.Ordinal);
        while (end >= 0 && !(end + 4 == text.Length || text[end + 4] == '\n'))
            end = text.IndexOf("\n---", end + 4, StringComparison.Ordinal);
        if (end < 0) throw new CardImportException("The YAML front matter starts with --- but never ends; add a line with --- after it.");
        var yaml = text[4..(end + 1)];
        if (yaml.Length > MaxYamlChars)
            throw new CardImportException($"The YAML front matter is {yaml.Length:N0} characters; at most {MaxYamlChars:N0} are read.");
        var body = end + 5 <= text.Length ? text[(end + 5)..] : "";
        return new FrontMatter(ReadTree(yaml), body.TrimStart('\n'));
    }

    private static Dictionary<string, object?> ReadTree(string yaml)
    {
        try
        {
            var parser = new Parser(new StringReader(yaml));
            var nodes = 0;
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return new Dictionary<string, object?>();
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, 0, ref nodes);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
                throw new CardImportException("The front matter holds more than one YAML document; keep one.");
            return root as Dictionary<string, object?> ?? (root is null
                ? new Dictionary<string, object?>()
                : throw new CardImportException("The front matter must be a YAML mapping (key: value lines)."));
        }
        catch (YamlException ex)
        {
            throw new CardImportException($"The YAML front matter is not valid at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}");
        }
    }

    private static object? ReadNode(IParser parser, int depth, ref int nodes)
    {
        if (depth > MaxDepth) throw new CardImportException($"The YAML front matter nests deeper than {MaxDepth} levels.");
        if (++nodes > MaxNodes) throw new CardImportException($"The YAML front matter has more than {MaxNodes:N0} values.");
        if (parser.Current is AnchorAlias alias)
            throw new CardImportException($"YAML aliases (*{alias.Value}) are not accepted in cards; write the value out.");
        if (parser.Current is NodeEvent { Anchor.IsEmpty: false } anchored)
            throw new CardImportException($"YAML anchors (&{anchored.Anchor}) are not accepted in cards; write the values out.");
        switch (parser.Current)
        {
            case Scalar scalar:
                parser.MoveNext();
                return scalar.IsQuotedImplicit || scalar.Value is not ("" or "~" or "null" or "Null" or "NULL") ? scalar.Value : null;
            case SequenceStart:
                parser.MoveNext();
                var list = new List<object?>();
                while (!parser.TryConsume<SequenceEnd>(out _)) list.Add(ReadNode(parser, depth + 1, ref nodes));
                return list;
            case MappingStart:
                parser.MoveNext();
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (parser.Current is not Scalar keyScalar)
                        throw new CardImportException("A YAML key in the front matter is not plain text; keys must be simple names.");
                    var start = keyScalar.Start;
                    var key = ReadNode(parser, depth + 1, ref nodes) as string
                              ?? throw new CardImportException($"A YAML key is empty at line {start.Line}; give it a name.");
                    if (!map.TryAdd(key, ReadNode(parser, depth + 1, ref nodes)))
                        throw new CardImportException($"The key \"{key}\" appears twice (line {start.Line}); keep one.");
                }
                return map;
            default:
                throw new CardImportException($"Unexpected YAML at line {parser.Current?.Start.Line}.");
        }
    }

    /// <summary>Writes front matter and body as one card file; the tree holds dictionaries, lists and strings.</summary>
    public static string Write(IReadOnlyDictionary<string, object?> yaml, string body)
    {
        var serializer = new SerializerBuilder()
            .WithQuotingNecessaryStrings()
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
            .DisableAliases()
            .Build();
        var sb = new StringBuilder("---\n");
        sb.Append(serializer.Serialize(yaml).Replace("\r\n", "\n"));
        sb.Append("---\n\n").Append(body.TrimEnd()).Append('\n');
        return sb.ToString();
    }

    // Typed reads over the tree, tolerant of the shapes real cards use (a single value where a list is expected).
    public static string? Str(IReadOnlyDictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var v) ? v switch { string s => s, List<object?> { Count: > 0 } l => l[0] as string, _ => null } : null;

    public static IReadOnlyDictionary<string, object?>? Map(IReadOnlyDictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var v) ? v as Dictionary<string, object?> : null;

    public static IReadOnlyList<object?> List(IReadOnlyDictionary<string, object?>? map, string key) =>
        map is not null && map.TryGetValue(key, out var v) ? v switch { List<object?> l => l, null => [], var one => [one] } : [];

    public static IReadOnlyList<string> Strings(IReadOnlyDictionary<string, object?>? map, string key) =>
        List(map, key).OfType<string>().ToList();
}
