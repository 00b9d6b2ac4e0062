using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace AutoMLGpt.Core.Training.Distributed;

/// <summary>One distributed job to start: its name (unique, DNS-safe), its shard folder and how many processes.</summary>
/// <param name="JobDirectory">The shard folder as this process sees it.</param>
/// <param name="RelativeDirectory">The same folder relative to the data folder, for processes that mount it elsewhere.</param>
public sealed record DistributedLaunch(string Name, string JobDirectory, string RelativeDirectory, int Processes);

/// <summary>What a job's processes say: a report line or a process's end.</summary>
public abstract record RankMessage(int Rank);
public sealed record RankReported(int Rank, RankReport Report) : RankMessage(Rank);
/// <param name="Detail">The end of what the process wrote to standard error, if anything.</param>
public sealed record RankExited(int Rank, int ExitCode, string Detail) : RankMessage(Rank);

/// <summary>Started processes of one job. Disposing stops any still running.</summary>
public interface IDistributedRun : IAsyncDisposable
{
    /// <summary>Every process's reports and exits; completes once all have exited.</summary>
    ChannelReader<RankMessage> Messages { get; }

    /// <summary>Stops every process of the job (cancel, a failed peer, a time-out).</summary>
    Task StopAsync();
}

/// <summary>Starts a distributed job's processes somewhere: on this machine, or as pods.</summary>
public interface IDistributedLauncher
{
    string Describe(int processes);
    Task<IDistributedRun> StartAsync(DistributedLaunch launch, CancellationToken cancellationToken);
}

/// <summary>
/// The job's processes on this machine: this app's assembly with <c>--lightgbm-rank</c>, each listening on a fresh port
/// of 127.0.0.1, each ending if this process ends.
/// </summary>
public sealed class LocalProcessLauncher(DistributedTrainingOptions options) : IDistributedLauncher
{
    public string Describe(int processes) => $"{processes} local processes on 127.0.0.1";

    public Task<IDistributedRun> StartAsync(DistributedLaunch launch, CancellationToken cancellationToken)
    {
        var assembly = options.RankAssembly is { Length: > 0 } configured ? configured : System.Reflection.Assembly.GetEntryAssembly()?.Location
            ?? throw new InvalidOperationException("Set Training:Distributed:RankAssembly to AutoMLGpt.Web.dll or AutoMLGpt.Worker.dll.");
        var ports = FreePorts(launch.Processes);
        var machines = string.Join(',', ports.Select(p => $"127.0.0.1:{p}"));
        var run = new LocalRun();
        try
        {
            for (var rank = 0; rank < launch.Processes; rank++)
                run.Start(rank, assembly, ["--job-dir", launch.JobDirectory, "--machines", machines, "--listen-port", ports[rank].ToString(System.Globalization.CultureInfo.InvariantCulture), "--rank", rank.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            run.CompleteWhenAllExited();
        }
        catch
        {
            run.StopAsync().GetAwaiter().GetResult();
            throw;
        }
        return Task.FromResult<IDistributedRun>(run);
    }

    // Ports the system just handed out and released: LightGBM binds them a moment later (a clash fails the job, it does not hang).
    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally { listeners.ForEach(l => l.Stop()); }
    }

    private sealed class LocalRun : IDistributedRun
    {
        private readonly Channel<RankMessage> _messages = Channel.CreateUnbounded<RankMessage>();
        private readonly List<Process> _processes = [];
        private readonly List<Task> _exits = [];

        public ChannelReader<RankMessage> Messages => _messages.Reader;

        public void Start(int rank, string assembly, string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(assembly)! };
            start.ArgumentList.Add(assembly);
            start.ArgumentList.Add(DistributedRank.Flag);
            foreach (var a in arguments) start.ArgumentList.Add(a);
            start.Environment[TrainingJobs.WorkerHost.ParentProcessVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Process {rank} of the distributed job could not be started.");
            lock (_processes) _processes.Add(process);
            var errors = new Queue<string>();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && RankReport.Parse(line) is { } report) _messages.Writer.TryWrite(new RankReported(rank, report));
            };
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not { Length: > 0 } line) return;
                lock (errors) { errors.Enqueue(line); if (errors.Count > 5) errors.Dequeue(); }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _exits.Add(Task.Run(async () =>
            {
                await process.WaitForExitAsync(); // also drains the output
                string detail;
                lock (errors) detail = string.Join(" | ", errors);
                _messages.Writer.TryWrite(new RankExited(rank, process.ExitCode, detail));
            }));
        }

        public void CompleteWhenAllExited() => _ = Task.WhenAll(_exits).ContinueWith(_ => _messages.Writer.TryComplete(), TaskScheduler.Default);

        public Task StopAsync()
        {
            lock (_processes)
                foreach (var p in _processes)
                    try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            return Task.WhenAll(_exits);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _messages.Writer.TryComplete();
            lock (_processes) foreach (var p in _processes) p.Dispose();
        }
    }
}
