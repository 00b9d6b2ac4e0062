using System.Text.Json;

namespace AutoMLGpt.Core.Cards.HuggingFace;

/// <summary>Imports a card from a file a user picked: a Hugging Face card (README.md) or our datacard.json.</summary>
public static class CardFiles
{
    public const int MaxBytes = FrontMatter.MaxFileChars;

    public static ImportedCard<DataCard> ImportData(string fileName, string text)
    {
        if (!IsJson(fileName, text)) return HuggingFaceCards.ImportDataCard(text);
        try
        {
            var file = DatasetCardFile.Parse(text.TrimStart('\uFEFF')); // editors on Windows save JSON with a BOM
            var card = file.Card;
            card.License = string.IsNullOrWhiteSpace(file.License) ? null : file.License;
            return new ImportedCard<DataCard>(card, [$"Read as a datacard.json ({file.Source})."]);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new CardImportException($"This JSON is not a datacard.json: {ex.Message}");
        }
    }

    public static ImportedCard<ModelCard> ImportModel(string fileName, string text)
    {
        if (IsJson(fileName, text))
            throw new CardImportException("Model cards are imported from a Hugging Face README.md (YAML front matter), not JSON.");
        return HuggingFaceCards.ImportModelCard(text);
    }

    private static bool IsJson(string fileName, string text) =>
        fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart('\uFEFF', ' ', '\n', '\r', '\t').StartsWith('{');
}
