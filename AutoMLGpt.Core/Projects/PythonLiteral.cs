using System.Globalization;
using System.Text;
using System.Text.Json;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Projects;

/// <summary>
/// Python literals for generated code. Card text and stage C's table can come from a language model, so every value
/// goes in as a JSON-escaped string (a valid Python literal) or a parsed number: nothing is pasted in as code.
/// </summary>
public static class PythonLiteral
{
    public static string Str(string? s) => JsonSerializer.Serialize(s ?? "");

    public static string List(IEnumerable<string> items) => "[" + string.Join(", ", items.Select(Str)) + "]";

    /// <summary>A value from stage C: an int, a float, True/False, or else a string.</summary>
    public static string Value(string value, string type = "")
    {
        var v = value.Trim();
        if (v.Equals("true", StringComparison.OrdinalIgnoreCase)) return "True";
        if (v.Equals("false", StringComparison.OrdinalIgnoreCase)) return "False";
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            var integral = Math.Abs(d - Math.Round(d)) < 1e-12 && Math.Abs(d) < 1e15;
            if (type == "int" || integral && !v.Contains('.') && !v.Contains('e', StringComparison.OrdinalIgnoreCase))
                return Math.Round(d).ToString("0", CultureInfo.InvariantCulture);
            return d.ToString("R", CultureInfo.InvariantCulture);
        }
        return Str(v);
    }

    /// <summary>Stage C's table as a Python dict, one entry per line, each with its range as a comment.</summary>
    public static string Hyperparameters(IReadOnlyList<HyperparameterRow> rows)
    {
        if (rows.Count == 0) return "{}";
        var sb = new StringBuilder("{\n");
        foreach (var row in rows.Where(r => IsIdentifier(r.Name)).GroupBy(r => r.Name).Select(g => g.Last()))
            sb.Append("    ").Append(Str(row.Name)).Append(": ").Append(Value(row.Value, row.Type)).Append(",\n");
        return sb.Append('}').ToString();
    }

    // Names become dict keys and keyword arguments: letters, digits and underscores only.
    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>A single-line comment: no line breaks can escape it.</summary>
    public static string Comment(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace("\u2028", " ").Replace("\u2029", " ");
}
