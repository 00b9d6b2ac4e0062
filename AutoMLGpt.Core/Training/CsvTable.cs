using System.Text;

namespace AutoMLGpt.Core.Training;

/// <summary>A CSV file read into memory: header names and rows of cells, null where a cell is missing.</summary>
public sealed class CsvTable(IReadOnlyList<string> columns, List<string?[]> rows, char separator)
{
    public IReadOnlyList<string> Columns { get; } = columns;
    public IReadOnlyList<string?[]> Rows => rows;
    public char Separator { get; } = separator;
    /// <summary>Said to the user when the file was not plain UTF-8 but could be read (a UTF-16 or UTF-32 byte-order mark).</summary>
    public string? Notice { get; init; }
    /// <summary>The column by exact name, else by case-insensitive name; -1 when absent.</summary>
    public int ColumnIndex(string name)
    {
        var exact = Columns.ToList().IndexOf(name);
        return exact >= 0 ? exact : Columns.ToList().FindIndex(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>A problem with a CSV file, with a message that says where and what to do.</summary>
public sealed class CsvFormatException(string message) : Exception(message);

public sealed class CsvReadOptions
{
    /// <summary>Cells with these values (trimmed, case-insensitive) count as missing, besides empty ones.</summary>
    public IReadOnlyCollection<string> MissingMarkers { get; init; } = ["", "?", "NA", "N/A", "#N/A", "n/a", "null", "NULL", "NaN", "nan"];
    public long MaxBytes { get; init; } = 512L * 1024 * 1024;
    public int MaxColumns { get; init; } = 10_000;
}

/// <summary>
/// A strict, forgiving-where-safe CSV reader: RFC 4180 quoting (doubled quotes, separators and new lines inside quotes),
/// separator detection among comma, semicolon and tab, UTF-8 with or without BOM. It refuses what it cannot read
/// unambiguously: empty files, a header without rows, ragged rows, bytes that are not UTF-8, duplicate headers.
/// </summary>
public static class CsvReader
{
    private static readonly char[] Candidates = [',', ';', '\t'];

    // Magic numbers of files people upload by mistake; NUL bytes without a UTF-16/32 byte-order mark mean binary too.
    private static string? SniffBinary(Stream stream)
    {
        var head = new byte[4096];
        var start = stream.Position;
        var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = start;
        ReadOnlySpan<byte> h = head.AsSpan(0, n);
        if (h.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47])) return "a PNG image";
        if (h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "a JPEG image";
        if (h.StartsWith("PK\x03\x04"u8)) return "a zip archive (an .xlsx workbook is one; export it as CSV)";
        if (h.StartsWith("%PDF"u8)) return "a PDF document";
        if (h.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])) return "a gzip archive (decompress it first)";
        var unicodeBom = h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || h.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || h.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]);
        return !unicodeBom && h.Contains((byte)0) ? "a binary file" : null;
    }

    public static CsvTable Read(string path, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        var info = new FileInfo(path);
        if (!info.Exists) throw new CsvFormatException("The file does not exist.");
        if (info.Length > options.MaxBytes)
            throw new CsvFormatException($"The file is {info.Length / 1048576.0:0.#} MB; the limit is {options.MaxBytes / 1048576.0:0.#} MB. Sample it down, or raise Training:MaxUploadMegabytes.");
        using var stream = File.OpenRead(path);
        return Read(stream, options);
    }

    public static CsvTable Read(Stream stream, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        if (stream.CanSeek && SniffBinary(stream) is { } kind)
            throw new CsvFormatException($"This is not a text file: it looks like {kind}. Upload the table as a CSV file.");
        string text;
        string? notice = null;
        try
        {
            // Strict UTF-8: invalid bytes throw instead of turning into U+FFFD silently. A byte-order mark says otherwise
            // explicitly, so UTF-16/32 files are read, and the user is told.
            using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
            if (reader.CurrentEncoding is not UTF8Encoding)
                notice = $"Read as {reader.CurrentEncoding.EncodingName} (the file starts with its byte-order mark) and converted; save it as UTF-8 CSV to avoid surprises in other tools.";
        }
        catch (DecoderFallbackException ex)
        {
            var at = ex.Index >= 0 ? $" near byte {ex.Index}" : "";
            throw new CsvFormatException($"The file is not UTF-8{at} (perhaps Latin-1 or UTF-16). Save it as UTF-8 CSV and upload it again.");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        if (string.IsNullOrWhiteSpace(text)) throw new CsvFormatException("The file is empty.");

        var separator = DetectSeparator(text);
        var records = Parse(text, separator);
        if (records.Count == 0) throw new CsvFormatException("The file is empty.");
        var header = records[0].Select(h => (h ?? "").Trim()).ToArray();
        if (header.Length > options.MaxColumns) throw new CsvFormatException($"The file has {header.Length:N0} columns; at most {options.MaxColumns:N0} are supported.");
        if (header.Any(string.IsNullOrEmpty))
            throw new CsvFormatException($"Column {Array.FindIndex(header, string.IsNullOrEmpty) + 1} of the header has no name. Every column needs a name.");
        // Exact duplicates only: real datasets have columns that differ by case (Sc_Var_Maxis, Sc_Var_maxis).
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CsvFormatException($"The header names \"{duplicate.Key}\" {duplicate.Count()} times. Column names must be unique.");
        if (records.Count == 1) throw new CsvFormatException("The file has a header but no data rows.");

        var missing = new HashSet<string>(options.MissingMarkers, StringComparer.OrdinalIgnoreCase);
        var rows = new List<string?[]>(records.Count - 1);
        for (var i = 1; i < records.Count; i++)
        {
            var record = records[i];
            if (record.Count == 1 && string.IsNullOrEmpty(record[0])) continue; // blank line
            if (record.Count != header.Length)
                throw new CsvFormatException($"Row {i + 1} has {record.Count} fields but the header has {header.Length} (separator '{Show(separator)}'). Check for an unquoted '{Show(separator)}' or a missing field in that row.");
            rows.Add(record.Select(c => c is null || missing.Contains(c.Trim()) ? null : c.Trim()).ToArray());
        }
        if (rows.Count == 0) throw new CsvFormatException("The file has a header but no data rows.");
        return new CsvTable(header, rows, separator) { Notice = notice };
    }

    private static string Show(char c) => c == '\t' ? "tab" : c.ToString();

    // The candidate that splits the header (outside quotes) into the most fields, preferring consistency with line 2.
    private static char DetectSeparator(string text)
    {
        var lines = FirstLines(text, 2);
        var best = ','; var bestScore = -1;
        foreach (var c in Candidates)
        {
            var n0 = CountOutsideQuotes(lines[0], c);
            var n1 = lines.Count > 1 ? CountOutsideQuotes(lines[1], c) : n0;
            var score = n0 == 0 ? 0 : n0 == n1 ? n0 * 2 : n0;
            if (score > bestScore) { best = c; bestScore = score; }
        }
        return best;
    }

    private static List<string> FirstLines(string text, int count)
    {
        var lines = new List<string>();
        var start = 0; var inQuotes = false;
        for (var i = 0; i < text.Length && lines.Count < count; i++)
        {
            if (text[i] == '"') inQuotes = !inQuotes;
            else if (text[i] == '\n' && !inQuotes) { lines.Add(text[start..i].TrimEnd('\r')); start = i + 1; }
        }
        if (lines.Count < count && start < text.Length) lines.Add(text[start..]);
        return lines;
    }

    private static int CountOutsideQuotes(string line, char c)
    {
        var n = 0; var inQuotes = false;
        foreach (var ch in line)
        {
            if (ch == '"') inQuotes = !inQuotes;
            else if (ch == c && !inQuotes) n++;
        }
        return n;
    }

    private static List<List<string?>> Parse(string text, char separator)
    {
        var records = new List<List<string?>>();
        var record = new List<string?>();
        var field = new StringBuilder();
        var inQuotes = false; var wasQuoted = false; var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else inQuotes = false;
                }
                else
                {
                    if (ch == '\n') line++;
                    field.Append(ch);
                }
                continue;
            }
            if (ch == '"' && field.Length == 0 && !wasQuoted) { inQuotes = true; wasQuoted = true; }
            else if (ch == separator) { record.Add(field.ToString()); field.Clear(); wasQuoted = false; }
            else if (ch == '\n' || ch == '\r')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                record.Add(field.ToString()); field.Clear(); wasQuoted = false;
                records.Add(record); record = []; line++;
            }
            else field.Append(ch);
        }
        if (inQuotes) throw new CsvFormatException($"A quoted field that starts before line {line} is never closed. Check for a stray '\"'.");
        if (field.Length > 0 || record.Count > 0) { record.Add(field.ToString()); records.Add(record); }
        return records;
    }
}
