using System.Diagnostics;
using System.Text;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>A real <c>AutoMLGpt.Worker</c> process with the given settings (as environment variables), its output captured.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public int Id => _process.Id;
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    private WorkerProcess(Process process) => _process = process;

    public static WorkerProcess Start(IReadOnlyDictionary<string, string?> settings)
    {
        var dll = Locate();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var worker = new WorkerProcess(Process.Start(start)!);
        worker._process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (worker._output) worker._output.AppendLine(e.Data); };
        worker._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (worker._output) worker._output.AppendLine(e.Data); };
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    private static string Locate() => WebProcess.Built("AutoMLGpt.Worker");

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
