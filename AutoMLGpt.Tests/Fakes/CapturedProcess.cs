using System.Diagnostics;
using System.Text;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>A started process whose standard output and error are kept (for assertion messages), killed with its children on dispose.</summary>
public sealed class CapturedProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CapturedProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Starts <c>dotnet</c> with <paramref name="start"/>'s arguments; settings become environment variables (<c>A:B</c> → <c>A__B</c>).</summary>
    public static CapturedProcess Start(ProcessStartInfo start, IReadOnlyDictionary<string, string?> settings)
    {
        (start.RedirectStandardOutput, start.RedirectStandardError, start.UseShellExecute) = (true, true, false);
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var captured = new CapturedProcess(Process.Start(start)!);
        captured._process.OutputDataReceived += (_, e) => captured.Append(e.Data);
        captured._process.ErrorDataReceived += (_, e) => captured.Append(e.Data);
        captured._process.BeginOutputReadLine();
        captured._process.BeginErrorReadLine();
        return captured;
    }

    private void Append(string? line)
    {
        if (line is not null) lock (_output) _output.AppendLine(line);
    }

    /// <summary>Kills it at once (SIGKILL), as a crashed machine would go.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
