using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AutoMLGpt.Core.TrainingJobs;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    /// <summary>
    /// "intake-memory": what a large upload costs the web process. A dataset's rows are repeated into a CSV of the asked
    /// size; each run is a fresh child process (the web's server GC) that warms the intake on a small file, notes its
    /// resident memory, then accepts the big file as an upload does (save, read, profile) and reports its peak (VmHWM).
    /// </summary>
    private static async Task<object> IntakeMemorySuiteAsync(Dictionary<string, string> o)
    {
        var datasets = o.TryGetValue("datasets", out var d) ? d : throw new ArgumentException("intake-memory needs --datasets DIR.");
        var megabytes = int.Parse(Get(o, "megabytes", "200"), CultureInfo.InvariantCulture);
        var runs = int.Parse(Get(o, "runs", "3"), CultureInfo.InvariantCulture);
        var names = o.TryGetValue("only", out var only)
            ? only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [Path.GetFileName(Path.GetDirectoryName(Directory.GetFiles(datasets, "data.csv", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First()))!];
        var results = new List<object>();
        foreach (var name in names)
        {
            var source = Path.Combine(datasets, name, "data.csv");
            var big = Path.Combine(Path.GetTempPath(), $"intake-{name}-{megabytes}mb.csv");
            var (rows, bytes) = RepeatRows(source, big, megabytes * 1024L * 1024L);
            Console.WriteLine($"{name}: {bytes / 1048576.0:0.0} MB, {rows:N0} rows in {big}");
            var measured = new List<IntakeChildResult>();
            try
            {
                for (var run = 0; run < runs; run++)
                {
                    var child = await RunIntakeChildAsync(big);
                    measured.Add(child);
                    Console.WriteLine($"  run {run + 1}: idle {child.IdleMegabytes:0} MB, peak {child.PeakMegabytes:0} MB, above idle {child.PeakMegabytes - child.IdleMegabytes:0} MB, {child.Seconds:0.0} s, {child.Rows:N0} rows profiled");
                }
            }
            finally { File.Delete(big); }
            var above = measured.Select(m => m.PeakMegabytes - m.IdleMegabytes).Order().ToList();
            results.Add(new
            {
                Dataset = name, Megabytes = Math.Round(bytes / 1048576.0, 1), Rows = rows, Runs = runs,
                IdleMegabytesMedian = Median(measured.Select(m => m.IdleMegabytes)),
                PeakMegabytesMedian = Median(measured.Select(m => m.PeakMegabytes)),
                PeakAboveIdleMegabytesMedian = Median(above), PeakAboveIdleMegabytesMax = above[^1],
                SecondsMedian = Median(measured.Select(m => m.Seconds)),
                Measured = measured,
            });
            Console.WriteLine($"  median above idle {Median(above):0} MB (max {above[^1]:0}), median {Median(measured.Select(m => m.Seconds)):0.0} s");
        }
        return new { Suite = "intake-memory", TargetMegabytes = megabytes, Gc = "server (as the web app)", Datasets = results };
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    // The header once, then the data rows again and again until the file reaches the size.
    private static (long Rows, long Bytes) RepeatRows(string source, string target, long bytes)
    {
        var lines = File.ReadAllLines(source);
        using var writer = new StreamWriter(target, append: false, new System.Text.UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        writer.WriteLine(lines[0]);
        long written = lines[0].Length + 1, rows = 0;
        while (written < bytes)
            foreach (var line in lines.Skip(1))
            {
                writer.WriteLine(line);
                written += line.Length + 1; rows++;
                if (written >= bytes) break;
            }
        return (rows, written);
    }

    public sealed record IntakeChildResult(double IdleMegabytes, double PeakMegabytes, double Seconds, int Rows);

    private static async Task<IntakeChildResult> RunIntakeChildAsync(string csv)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (!Environment.ProcessPath!.EndsWith("AutoMLGpt.Bench", StringComparison.Ordinal)) start.ArgumentList.Add(typeof(BenchCommands).Assembly.Location);
        foreach (var a in new[] { "intake-child", "--csv", csv }) start.ArgumentList.Add(a);
        start.Environment["DOTNET_gcServer"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new IOException($"intake-child failed ({process.ExitCode}): {await stderr}");
        var last = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return JsonSerializer.Deserialize<IntakeChildResult>(last)!;
    }

    /// <summary>The child: warm up, note resident memory, accept the file as an upload, report the peak as one JSON line.</summary>
    public static async Task<int> IntakeChildAsync(string[] args)
    {
        var csv = args[Array.IndexOf(args, "--csv") + 1];
        var root = Directory.CreateTempSubdirectory("intake-bench-").FullName;
        try
        {
            var options = new TrainingOptions { MaxUploadMegabytes = 4096 };
            var intake = new DatasetIntake(new DataFolders(root), options);
            await using (var warm = new MemoryStream("a,b,label\n1,x,yes\n2,y,no\n3,x,yes\n"u8.ToArray()))
                await intake.AcceptAsync(warm, "warm.csv", CancellationToken.None);
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            var idle = ProcStatusMegabytes("VmRSS");
            ResetPeak();
            var sw = Stopwatch.StartNew();
            IntakeResult accepted;
            await using (var upload = File.OpenRead(csv))
                accepted = await intake.AcceptAsync(upload, Path.GetFileName(csv), CancellationToken.None);
            var seconds = sw.Elapsed.TotalSeconds;
            var peak = ProcStatusMegabytes("VmHWM");
            Console.WriteLine(JsonSerializer.Serialize(new IntakeChildResult(idle, peak, seconds, accepted.Profile.Rows)));
            return 0;
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static double ProcStatusMegabytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux), so the peak is the intake's, not the warm-up's.
    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
