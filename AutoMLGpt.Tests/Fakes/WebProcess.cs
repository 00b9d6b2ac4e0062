using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>The web app as its own process on a free loopback port (a "node"), so a test can kill it like a crashed server.</summary>
public sealed class WebProcess : IDisposable
{
    private readonly CapturedProcess _process;

    public string BaseUrl { get; }
    public string Output => _process.Output;
    public int Id => _process.Id;

    private WebProcess(CapturedProcess process, string baseUrl) => (_process, BaseUrl) = (process, baseUrl);

    /// <param name="settings">
    /// Configuration as environment variables. Training runs in the web process (<c>Training:Isolation=InProcess</c>)
    /// unless the settings say otherwise; a <c>null</c> value leaves the app's own default (a child process).
    /// </param>
    public static async Task<WebProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var dll = Built("AutoMLGpt.Web");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(dll)))))! };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        // Development: static assets come from the build's manifest (the app is not published here).
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var values = new Dictionary<string, string?>(settings);
        if (!values.ContainsKey("Training:Isolation")) values["Training:Isolation"] = "InProcess";
        foreach (var key in values.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) values.Remove(key);
        var web = new WebProcess(CapturedProcess.Start(start, values), $"http://127.0.0.1:{port}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 300; i++)
        {
            if (web._process.HasExited) throw new InvalidOperationException($"The web node exited at start:\n{web.Output}");
            try { if ((await http.GetAsync(web.BaseUrl + "/history")).IsSuccessStatusCode) return web; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        web.Dispose();
        throw new TimeoutException($"The web node did not answer in 60 s:\n{web.Output}");
    }

    /// <summary>An app of this solution as built beside the tests (same configuration).</summary>
    public static string Built(string project)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AutoMLGpt.Web.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("The solution folder was not found above " + AppContext.BaseDirectory);
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var bin = Path.Combine(dir.FullName, project, "bin", configuration);
        return (Directory.Exists(bin) ? Directory.GetFiles(bin, project + ".dll", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault() : null)
               ?? throw new InvalidOperationException($"{project} is not built under {bin}; build the solution first.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills it at once (SIGKILL), as a crashed machine would go.</summary>
    public void Kill() => _process.Kill();

    public void Dispose() => _process.Dispose();
}
