using System.Text;
using nietras.SeparatedValues;

namespace AutoMLGpt.Core.Training;

/// <summary>One data row while it is read: cells trimmed and unquoted, valid only inside the handler (nothing is copied).</summary>
public readonly ref struct CsvRow
{
    private readonly SepReader.Row _row;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _missing;

    internal CsvRow(SepReader.Row row, HashSet<string>.AlternateLookup<ReadOnlySpan<char>> missing, int line)
    {
        _row = row;
        _missing = missing;
        Line = line;
    }

    /// <summary>The file line the row starts on (1 is the header).</summary>
    public int Line { get; }
    public ReadOnlySpan<char> this[int column] => _row[column].Span.Trim();

    /// <summary>The trimmed cell, false when it is missing: empty, or one of the missing markers (NA, ?, …).</summary>
    public bool TryGetValue(int column, out ReadOnlySpan<char> value)
    {
        value = this[column];
        return !_missing.Contains(value);
    }
}

public delegate void CsvRowHandler(in CsvRow row);

/// <summary>
/// A CSV read as a stream of rows on Sep (nietras/Sep: maintained, MIT, span-based, so a row costs no allocation unless its
/// cells are kept). Around it, the checks the app promises: separator detection among comma, semicolon and tab; strict
/// UTF-8 (a UTF-16/32 byte-order mark is honoured and said); RFC 4180 quoting, with a clear error for a quote that never
/// closes or sits inside an unquoted field; a named, unique header; no ragged rows; no empty files.
/// </summary>
public sealed class CsvRows : IDisposable
{
    private const int DetectionChars = 256 * 1024;
    private const int RowsPerCheck = 8192;
    private static readonly char[] Candidates = [',', ';', '\t'];

    private readonly Stream _stream;
    private readonly SepReader _reader;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _missing;
    private readonly long _length;

    private CsvRows(Stream stream, SepReader reader, IReadOnlyList<string> columns, char separator, string? notice, CsvReadOptions options)
    {
        (_stream, _reader, Columns, Separator, Notice) = (stream, reader, columns, separator, notice);
        _missing = new HashSet<string>(options.MissingMarkers, StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();
        _length = stream.CanSeek ? stream.Length : 0;
    }

    public IReadOnlyList<string> Columns { get; }
    public char Separator { get; }
    /// <summary>Said to the user when the file was not plain UTF-8 but could be read.</summary>
    public string? Notice { get; }

    /// <summary>Opens a file for reading, refusing it by size first.</summary>
    public static FileStream OpenFile(string path, CsvReadOptions options)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new CsvFormatException("The file does not exist.");
        if (info.Length > options.MaxBytes)
            throw new CsvFormatException($"The file is {info.Length / 1048576.0:0.#} MB; the limit is {options.MaxBytes / 1048576.0:0.#} MB. Sample it down, or raise Training:MaxUploadMegabytes.");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    /// <summary>Reads up to the header; the rows follow with <see cref="ReadAll"/>. The stream stays the caller's.</summary>
    /// <exception cref="CsvFormatException">The file cannot be read as a CSV; the message says why and what to do.</exception>
    public static CsvRows Open(Stream stream, CsvReadOptions options)
    {
        if (stream.CanSeek && SniffBinary(stream) is { } kind)
            throw new CsvFormatException($"This is not a text file: it looks like {kind}. Upload the table as a CSV file.");
        // Strict UTF-8: invalid bytes throw instead of turning into U+FFFD silently. A byte-order mark says otherwise
        // explicitly, so UTF-16/32 files are read, and the user is told.
        var text = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        try
        {
            var head = new char[DetectionChars];
            var length = Decoding(() => text.ReadBlock(head, 0, head.Length));
            var start = length > 0 && head[0] == '\uFEFF' ? 1 : 0;
            if (head.AsSpan(start, length - start).IsWhiteSpace()) throw new CsvFormatException("The file is empty.");
            var notice = text.CurrentEncoding is UTF8Encoding ? null
                : $"Read as {text.CurrentEncoding.EncodingName} (the file starts with its byte-order mark) and converted; save it as UTF-8 CSV to avoid surprises in other tools.";
            var separator = DetectSeparator(head.AsSpan(start, length - start));
            var reader = Sep.New(separator).Reader(o => o with { HasHeader = false, Unescape = true, DisableColCountCheck = true })
                .From(new PrefixedReader(new ArraySegment<char>(head, start, length - start), text));
            if (!Decoding(reader.MoveNext)) throw new CsvFormatException("The file is empty.");
            var first = reader.Current;
            CheckQuotes(first.Span, separator, 1);
            var header = new string[first.ColCount];
            for (var i = 0; i < header.Length; i++) header[i] = first[i].Span.Trim().ToString();
            CheckHeader(header, options);
            return new CsvRows(stream, reader, header, separator, notice, options);
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    /// <summary>Every data row, in order, to the handler; blank lines are skipped. Returns how many rows there were.</summary>
    /// <param name="progress">Called now and then with the share of the file read so far (seekable streams only).</param>
    public int ReadAll(CsvRowHandler handler, CancellationToken cancellationToken, Action<double>? progress = null)
    {
        var rows = 0;
        var width = Columns.Count;
        Decoding(() =>
        {
            foreach (var row in _reader)
            {
                if (row.ColCount == 1 && row.Span.IsWhiteSpace()) continue; // blank line
                var line = row.LineNumberFrom;
                if (row.Span.Contains('"')) CheckQuotes(row.Span, Separator, line);
                if (row.ColCount != width)
                    throw new CsvFormatException($"Row {line} has {row.ColCount} fields but the header has {width} (separator '{Show(Separator)}'). Check for an unquoted '{Show(Separator)}' or a missing field in that row.");
                handler(new CsvRow(row, _missing, line));
                if (++rows % RowsPerCheck == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (progress is not null && _length > 0) progress(Math.Min(1, _stream.Position / (double)_length));
                }
            }
            return 0;
        });
        if (rows == 0) throw new CsvFormatException("The file has a header but no data rows.");
        progress?.Invoke(1);
        return rows;
    }

    public void Dispose() => _reader.Dispose();

    private static T Decoding<T>(Func<T> read)
    {
        try { return read(); }
        catch (DecoderFallbackException ex)
        {
            var at = ex.Index >= 0 ? $" near byte {ex.Index}" : "";
            throw new CsvFormatException($"The file is not UTF-8{at} (perhaps Latin-1 or UTF-16). Save it as UTF-8 CSV and upload it again.");
        }
    }

    private static void CheckHeader(string[] header, CsvReadOptions options)
    {
        if (header.Length > options.MaxColumns) throw new CsvFormatException($"The file has {header.Length:N0} columns; at most {options.MaxColumns:N0} are supported.");
        if (header.Any(string.IsNullOrEmpty))
            throw new CsvFormatException($"Column {Array.FindIndex(header, string.IsNullOrEmpty) + 1} of the header has no name. Every column needs a name.");
        // Exact duplicates only: real datasets have columns that differ by case (Sc_Var_Maxis, Sc_Var_maxis).
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new CsvFormatException($"The header names \"{duplicate.Key}\" {duplicate.Count()} times. Column names must be unique.");
    }

    // Sep toggles quoting at any quote; RFC 4180 opens a quote only at a field's start. A row with quotes (rare) is walked
    // once more, so a quote left open, or one inside an unquoted field (5'10"), is an error, not rows silently merged.
    private static void CheckQuotes(ReadOnlySpan<char> raw, char separator, int line)
    {
        var inQuotes = false; var fieldStart = true; var closed = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var ch = raw[i];
            if (inQuotes)
            {
                if (ch != '"') continue;
                if (i + 1 < raw.Length && raw[i + 1] == '"') { i++; continue; }
                (inQuotes, closed) = (false, true);
            }
            else if (ch == separator || ch == '\n' || ch == '\r') (fieldStart, closed) = (true, false);
            else if (ch == '"' && fieldStart) (inQuotes, fieldStart) = (true, false);
            else if (ch == '"')
                throw new CsvFormatException($"Row {line} has a '\"' inside a field that does not start with one. Quote the whole field and double the quote inside (\"5'10\"\"\"), or remove it.");
            else if (!closed || !char.IsWhiteSpace(ch)) fieldStart = false;
        }
        if (inQuotes) throw new CsvFormatException($"A quoted field that starts on line {line} is never closed. Check for a stray '\"'.");
    }

    private static string Show(char c) => c == '\t' ? "tab" : c.ToString();

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

    // The candidate that splits the header (outside quotes) into the most fields, preferring consistency with line 2.
    private static char DetectSeparator(ReadOnlySpan<char> head)
    {
        FirstTwoLines(head, out var first, out var second);
        var best = ','; var bestScore = -1;
        foreach (var c in Candidates)
        {
            var n0 = CountOutsideQuotes(first, c);
            var n1 = second.IsEmpty ? n0 : CountOutsideQuotes(second, c);
            var score = n0 == 0 ? 0 : n0 == n1 ? n0 * 2 : n0;
            if (score > bestScore) { best = c; bestScore = score; }
        }
        return best;
    }

    private static void FirstTwoLines(ReadOnlySpan<char> text, out ReadOnlySpan<char> first, out ReadOnlySpan<char> second)
    {
        var ends = new List<int>(2);
        var inQuotes = false;
        for (var i = 0; i < text.Length && ends.Count < 2; i++)
        {
            if (text[i] == '"') inQuotes = !inQuotes;
            else if (text[i] == '\n' && !inQuotes) ends.Add(i);
        }
        var firstEnd = ends.Count > 0 ? ends[0] : text.Length;
        first = text[..firstEnd].TrimEnd('\r');
        second = firstEnd >= text.Length ? [] : text[(firstEnd + 1)..(ends.Count > 1 ? ends[1] : text.Length)].TrimEnd('\r');
    }

    private static int CountOutsideQuotes(ReadOnlySpan<char> line, char c)
    {
        var n = 0; var inQuotes = false;
        foreach (var ch in line)
        {
            if (ch == '"') inQuotes = !inQuotes;
            else if (ch == c && !inQuotes) n++;
        }
        return n;
    }

    /// <summary>The characters read for separator detection, then the rest of the reader: the file is decoded once.</summary>
    private sealed class PrefixedReader(ArraySegment<char> prefix, TextReader rest) : TextReader
    {
        private int _at;

        public override int Peek() => _at < prefix.Count ? prefix[_at] : rest.Peek();
        public override int Read() => _at < prefix.Count ? prefix[_at++] : rest.Read();
        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_at >= prefix.Count) return rest.Read(buffer);
            var n = Math.Min(buffer.Length, prefix.Count - _at);
            prefix.AsSpan(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }
    }
}
