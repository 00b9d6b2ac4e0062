using System.Diagnostics;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>
/// Debian's Python 3 with the packages .ci/run installs (pandas, scikit-learn, xgboost, torch, torchvision, pyflakes).
/// Tests run the scripts the offline engine writes; they fail, not skip, when the interpreter or a package is missing.
/// </summary>
public static class Python
{
    public static string Interpreter { get; } = Environment.GetEnvironmentVariable("AUTOMLGPT_PYTHON") is { Length: > 0 } p ? p
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public sealed record Result(int ExitCode, string Output, string Errors, TimeSpan Elapsed)
    {
        public string All => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{Tail(Output)}\n--- stderr ---\n{Tail(Errors)}";
        private static string Tail(string s) => s.Length <= 4000 ? s : "…" + s[^4000..];
    }

    public static async Task<Result> RunAsync(string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout, string? executable = null)
    {
        var start = new ProcessStartInfo(executable ?? Interpreter)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["PYTHONHASHSEED"] = "0";
        start.Environment["OMP_NUM_THREADS"] = "2";
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
        }
        return new Result(process.ExitCode, await output, await errors, watch.Elapsed);
    }

    /// <summary>Fails with what to install when the interpreter or a module is missing.</summary>
    public static async Task RequireAsync(params string[] modules)
    {
        var check = await RunAsync(Path.GetTempPath(), ["-c", $"import {string.Join(", ", modules)}"], TimeSpan.FromSeconds(120));
        Assert.True(check.ExitCode == 0,
            $"{Interpreter} cannot import {string.Join(", ", modules)}: install Debian's python3-pandas python3-sklearn python3-xgboost python3-torch python3-torchvision pyflakes3 (as .ci/run does).\n{check.All}");
    }
}
