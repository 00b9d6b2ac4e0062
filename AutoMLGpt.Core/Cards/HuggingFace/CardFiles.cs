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

    /// <summary>
    /// Reads an uploaded card file of <paramref name="size"/> bytes as a data or model card. Too large, unreadable or
    /// malformed files throw <see cref="CardImportException"/> with a message for the user.
    /// </summary>
    public static async Task<CardImport> ReadAsync(Stream content, string fileName, long size, bool dataCard, CancellationToken cancellationToken = default)
    {
        if (size > MaxBytes) throw new CardImportException($"The file is {size / 1048576.0:0.#} MB; cards are at most {MaxBytes / 1_000_000} MB.");
        string text;
        try
        {
            using var reader = new StreamReader(content);
            text = await reader.ReadToEndAsync(cancellationToken);
        }
        catch (IOException ex) { throw new CardImportException($"The file could not be read: {ex.Message}"); }
        if (dataCard)
        {
            var data = ImportData(fileName, text);
            return new CardImport(data.Card, null, data.Notes);
        }
        var model = ImportModel(fileName, text);
        return new CardImport(null, model.Card, model.Notes);
    }

    private static bool IsJson(string fileName, string text) =>
        fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart('\uFEFF', ' ', '\n', '\r', '\t').StartsWith('{');
}

/// <summary>A card read from a file: exactly one of Data or Model, with notes on what was assumed.</summary>
public sealed record CardImport(DataCard? Data, ModelCard? Model, IReadOnlyList<string> Notes)
{
    public object Card => (object?)Data ?? Model!;
}
