using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Engines.Llm;

/// <summary>Stage C's typed answer from a language model.</summary>
public sealed class HyperparameterAnswer
{
    [JsonPropertyName("hyperparameters")] public List<Row>? Hyperparameters { get; set; }
    [JsonPropertyName("notes")] public List<string>? Notes { get; set; }

    public sealed class Row
    {
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("value")] public JsonElement Value { get; set; }
        [JsonPropertyName("type")] public string? Type { get; set; }
        [JsonPropertyName("range")] public string? Range { get; set; }
        [JsonPropertyName("rationale")] public string? Rationale { get; set; }
    }

    /// <summary>The JSON schema sent as the response format.</summary>
    public static readonly JsonElement Schema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "hyperparameters": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "name": { "type": "string" },
                  "value": { "type": ["string", "number", "boolean"] },
                  "type": { "type": "string", "enum": ["int", "float", "categorical", "bool"] },
                  "range": { "type": "string" },
                  "rationale": { "type": "string" }
                },
                "required": ["name", "value", "type", "range", "rationale"],
                "additionalProperties": false
              }
            },
            "notes": { "type": "array", "items": { "type": "string" } }
          },
          "required": ["hyperparameters", "notes"],
          "additionalProperties": false
        }
        """).RootElement;

    private static readonly HashSet<string> Types = ["int", "float", "categorical", "bool"];

    /// <summary>Parses and checks an answer; the error says exactly what is wrong, for the repair request and the user.</summary>
    public static bool TryParse(string text, out IReadOnlyList<HyperparameterRow> rows, out IReadOnlyList<string> notes, out string error)
    {
        rows = []; notes = []; error = "";
        var json = ExtractJson(text);
        HyperparameterAnswer? answer;
        try { answer = JsonSerializer.Deserialize<HyperparameterAnswer>(json); }
        catch (JsonException ex) { error = $"the answer is not valid JSON ({ex.Message.Split('.')[0]})"; return false; }
        if (answer?.Hyperparameters is not { Count: > 0 } list) { error = "\"hyperparameters\" is missing or empty"; return false; }
        var result = new List<HyperparameterRow>();
        for (var i = 0; i < list.Count; i++)
        {
            var r = list[i];
            if (string.IsNullOrWhiteSpace(r.Name)) { error = $"hyperparameter {i + 1} has no name"; return false; }
            var value = r.Value.ValueKind switch
            {
                JsonValueKind.String => r.Value.GetString() ?? "",
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => r.Value.GetRawText(),
                _ => "",
            };
            if (value.Length == 0) { error = $"\"{r.Name}\" has no value"; return false; }
            var type = (r.Type ?? "").Trim().ToLowerInvariant();
            if (!Types.Contains(type)) { error = $"\"{r.Name}\" has type \"{r.Type}\"; use int, float, categorical or bool"; return false; }
            result.Add(new HyperparameterRow(r.Name.Trim(), value.Trim(), type, (r.Range ?? "").Trim(), (r.Rationale ?? "").Trim()));
        }
        rows = result;
        notes = answer.Notes?.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).ToList() ?? [];
        return true;
    }

    /// <summary>The table as Markdown, the same shape the offline engine writes.</summary>
    public static string ToMarkdown(IReadOnlyList<HyperparameterRow> rows, IReadOnlyList<string> notes)
    {
        var sb = new StringBuilder("| name | value | type | range | rationale |\n|---|---|---|---|---|\n");
        foreach (var r in rows) sb.Append($"| {Cell(r.Name)} | {Cell(r.Value)} | {r.Type} | {Cell(r.Range)} | {Cell(r.Rationale)} |\n");
        foreach (var n in notes) sb.Append("\n- ").Append(n.Replace('\n', ' ')).Append('\n');
        return sb.ToString().TrimEnd();
    }

    private static string Cell(string s) => s.Replace("|", "\\|").Replace('\n', ' ');

    // Models sometimes wrap JSON in a ``` fence or add a sentence; take the outermost object.
    private static string ExtractJson(string text)
    {
        var start = text.IndexOf('{');
        var end = text.LastIndexOf('}');
        return start >= 0 && end > start ? text[start..(end + 1)] : text;
    }
}
