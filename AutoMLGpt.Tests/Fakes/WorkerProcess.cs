using System.Diagnostics;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>A real <c>AutoMLGpt.Worker</c> process with the given settings (as environment variables), its output captured.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly CapturedProcess _process;

    public int Id => _process.Id;
    public string Output => _process.Output;
    public bool HasExited => _process.HasExited;

    private WorkerProcess(CapturedProcess process) => _process = process;

    public static WorkerProcess Start(IReadOnlyDictionary<string, string?> settings)
    {
        var dll = WebProcess.Built("AutoMLGpt.Worker");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return new WorkerProcess(CapturedProcess.Start(start, settings));
    }

    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
