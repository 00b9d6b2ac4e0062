using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Projects;

/// <summary>Where the static check of generated scripts runs (section <c>ScriptCheck</c>).</summary>
public sealed class ScriptCheckOptions
{
    public const string Section = "ScriptCheck";

    /// <summary>The Python interpreter with pyflakes (Debian: <c>apt-get install pyflakes3</c>).</summary>
    public string Python { get; set; } = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public int TimeoutSeconds { get; set; } = 20;

    public int MemoryMegabytes { get; set; } = 512;

    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Python)) yield return "ScriptCheck:Python is empty; give the path of a Python 3 with pyflakes.";
        if (TimeoutSeconds is < 1 or > 600) yield return "ScriptCheck:TimeoutSeconds must be between 1 and 600.";
        if (MemoryMegabytes is < 64 or > 16_384) yield return "ScriptCheck:MemoryMegabytes must be between 64 and 16384.";
    }
}

/// <summary>One problem pyflakes (or the compiler) found: file, line, column and what is wrong.</summary>
public sealed record ScriptFinding(string File, int Line, int Column, string Message);

/// <summary>The outcome of a check: findings, or why the check could not run; what isolated it.</summary>
public sealed record ScriptCheckResult(bool Ran, IReadOnlyList<ScriptFinding> Findings, string Summary, string Sandbox, TimeSpan Elapsed)
{
    public bool Clean => Ran && Findings.Count == 0;

    /// <summary>A chat follow-up that carries the findings, so the model can fix its script.</summary>
    public string FollowUp() =>
        "The generated scripts fail the static check (pyflakes). Fix stage A so that it compiles and every name is defined:\n" +
        string.Join("\n", Findings.Take(20).Select(f => $"- {f.File} line {f.Line}: {f.Message}"));
}

/// <summary>
/// Compiles and statically checks model-written scripts with pyflakes, in a child process: a fresh temporary folder,
/// an empty environment (no API keys, no proxy settings), limits on time, memory and CPU, and no network namespace
/// where the system allows one. pyflakes parses the code and never runs it; the app never runs model-written code.
/// </summary>
public sealed partial class ScriptChecker(ScriptCheckOptions options, ILogger<ScriptChecker> logger)
{
    public async Task<ScriptCheckResult> CheckAsync(IReadOnlyDictionary<string, string> scripts, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-check-").FullName;
        var watch = Stopwatch.StartNew();
        try
        {
            foreach (var (name, text) in scripts)
            {
                if (!SafeName().IsMatch(name)) throw new ArgumentException($"\"{name}\" is not a plain script name.", nameof(scripts));
                await File.WriteAllTextAsync(Path.Combine(folder, name), text, cancellationToken);
            }
            if (Resolve(options.Python) is not { } python)
                return new ScriptCheckResult(false, [], $"The check could not find {options.Python}. Install Python 3 with pyflakes (Debian: pyflakes3) or set ScriptCheck:Python.", "not started", watch.Elapsed);
            var (command, sandbox) = Command(python, folder, scripts.Keys);
            var start = new ProcessStartInfo(command[0])
            {
                WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in command.Skip(1)) start.ArgumentList.Add(a);
            start.Environment.Clear(); // nothing of the app's environment (keys, connection strings) reaches the child
            start.Environment["PATH"] = "/usr/bin:/bin";
            start.Environment["HOME"] = folder;
            start.Environment["LANG"] = "C.UTF-8";
            start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            Process process;
            try { process = Process.Start(start)!; }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or FileNotFoundException)
            {
                return new ScriptCheckResult(false, [], $"The check could not start {options.Python}: {ex.Message}. Install Python 3 with pyflakes (Debian: pyflakes3) or set ScriptCheck:Python.", sandbox, watch.Elapsed);
            }
            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
                var errors = process.StandardError.ReadToEndAsync(cancellationToken);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
                try { await process.WaitForExitAsync(timeout.Token); }
                catch (OperationCanceledException)
                {
                    try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    cancellationToken.ThrowIfCancellationRequested();
                    return new ScriptCheckResult(false, [], $"The check took longer than {options.TimeoutSeconds} s (ScriptCheck:TimeoutSeconds) and was stopped.", sandbox, watch.Elapsed);
                }
                var text = (await output) + (await errors);
                if (text.Contains("No module named pyflakes", StringComparison.Ordinal))
                    return new ScriptCheckResult(false, [], $"pyflakes is not installed for {options.Python}: install it (Debian: apt-get install pyflakes3) or set ScriptCheck:Python.", sandbox, watch.Elapsed);
                var findings = Parse(text, folder);
                if (process.ExitCode != 0 && findings.Count == 0)
                    return new ScriptCheckResult(false, [], $"The check failed (exit {process.ExitCode}): {Shorten(text.Replace(folder + "/", ""))}", sandbox, watch.Elapsed);
                var summary = findings.Count == 0
                    ? $"{string.Join(" and ", scripts.Keys)} compile and pyflakes finds nothing."
                    : $"{findings.Count} problem{(findings.Count == 1 ? "" : "s")} found by pyflakes.";
                logger.LogInformation("Script check: {Count} finding(s) in {Milliseconds:0} ms ({Sandbox})", findings.Count, watch.Elapsed.TotalMilliseconds, sandbox);
                return new ScriptCheckResult(true, findings, summary, sandbox, watch.Elapsed);
            }
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    // pyflakes under prlimit (memory, CPU seconds, no core files) and, where user namespaces work, without a network.
    private (List<string> Command, string Sandbox) Command(string interpreter, string folder, IEnumerable<string> files)
    {
        var python = new List<string> { interpreter, "-I", "-m", "pyflakes" };
        python.AddRange(files);
        var limits = new List<string>();
        var sandbox = new List<string> { "temporary folder", "empty environment", $"{options.TimeoutSeconds} s" };
        if (File.Exists("/usr/bin/prlimit"))
        {
            limits.AddRange(["/usr/bin/prlimit", $"--as={(long)options.MemoryMegabytes * 1024 * 1024}", $"--cpu={options.TimeoutSeconds}", "--core=0", "--"]);
            sandbox.Add($"{options.MemoryMegabytes} MB memory");
        }
        if (NoNetworkAvailable.Value)
        {
            sandbox.Add("no network");
            return ([.. "/usr/bin/unshare --user --map-root-user --net --".Split(' '), .. limits, .. python], string.Join(", ", sandbox));
        }
        sandbox.Add("network not isolated here (no user namespaces); pyflakes makes no connections");
        return ([.. limits, .. python], string.Join(", ", sandbox));
    }

    // The child gets PATH=/usr/bin:/bin only, so the interpreter is resolved here, to a full path.
    private static string? Resolve(string python) =>
        Path.IsPathRooted(python) ? (File.Exists(python) ? python : null)
        : new[] { "/usr/bin", "/bin", "/usr/local/bin" }.Select(d => Path.Combine(d, python)).FirstOrDefault(File.Exists);

    // Whether `unshare --user --net` works on this machine (containers often forbid it).
    private static readonly Lazy<bool> NoNetworkAvailable = new(() =>
    {
        if (!File.Exists("/usr/bin/unshare")) return false;
        try
        {
            var start = new ProcessStartInfo("/usr/bin/unshare", ["--user", "--map-root-user", "--net", "--", "/bin/true"]) { UseShellExecute = false, RedirectStandardError = true };
            using var p = Process.Start(start)!;
            return p.WaitForExit(5000) && p.ExitCode == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException) { return false; }
    });

    private static IReadOnlyList<ScriptFinding> Parse(string text, string folder)
    {
        var findings = new List<ScriptFinding>();
        foreach (Match m in FindingLine().Matches(text.Replace(folder + "/", "")))
            findings.Add(new ScriptFinding(m.Groups["file"].Value, int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["col"].Success ? int.Parse(m.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, m.Groups["message"].Value.Trim()));
        return findings;
    }

    private static string Shorten(string s) => s.Length <= 400 ? s.Trim() : s[..400].Trim() + "…";

    [GeneratedRegex(@"^[A-Za-z0-9_]+\.py$")]
    private static partial Regex SafeName();

    // "data.py:12:5: undefined name 'x'" (pyflakes ≥ 2.2 adds the column; a syntax error is "data.py:3:10: invalid syntax").
    [GeneratedRegex(@"^(?<file>[A-Za-z0-9_]+\.py):(?<line>\d+):(?:(?<col>\d+):?)?\s*(?<message>.+)$", RegexOptions.Multiline)]
    private static partial Regex FindingLine();
}
