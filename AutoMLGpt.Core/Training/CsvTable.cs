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

/// <summary>Reads a whole CSV into a <see cref="CsvTable"/> (training needs every cell); uploads are profiled by streaming instead.</summary>
public static class CsvReader
{
    // Repeated category values share one string per column (up to this many per column), so a table of millions of rows
    // holds each "Private" once, not a million times.
    private const int PooledValuesPerColumn = 4096;

    public static CsvTable Read(string path, CsvReadOptions? options = null)
    {
        using var stream = CsvRows.OpenFile(path, options ?? new CsvReadOptions());
        return Read(stream, options);
    }

    public static CsvTable Read(Stream stream, CsvReadOptions? options = null)
    {
        using var csv = CsvRows.Open(stream, options ?? new CsvReadOptions());
        var columns = csv.Columns.Count;
        var pools = Enumerable.Range(0, columns).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
        var lookups = pools.Select(p => p.GetAlternateLookup<ReadOnlySpan<char>>()).ToArray();
        var rows = new List<string?[]>();
        csv.ReadAll((in CsvRow row) =>
        {
            var cells = new string?[columns];
            for (var i = 0; i < columns; i++)
            {
                if (!row.TryGetValue(i, out var value)) continue;
                if (lookups[i].TryGetValue(value, out var pooled)) cells[i] = pooled;
                else
                {
                    var text = value.ToString();
                    if (pools[i].Count < PooledValuesPerColumn) pools[i].Add(text);
                    cells[i] = text;
                }
            }
            rows.Add(cells);
        }, CancellationToken.None);
        return new CsvTable(csv.Columns, rows, csv.Separator) { Notice = csv.Notice };
    }
}
