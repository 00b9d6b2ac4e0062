using AutoMLGpt.Tests.Fakes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace AutoMLGpt.Tests.E2E;

/// <summary>
/// The real app on a real loopback socket (Kestrel on a free port) over a temporary SQLite file, plus one headless
/// Debian Chromium shared by the end-to-end tests. Playwright never downloads a browser.
/// </summary>
public class AppFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _folder = Directory.CreateTempSubdirectory("automlgpt-e2e-").FullName;
    private TestApp? _factory;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;
    public string BaseUrl { get; private set; } = "";
    public string DataFolder => _folder;
    public CapturingLoggerProvider Logs => _factory!.Logs;

    /// <summary>Extra settings for the app under test (e.g. the Llm section pointing at a fake server).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    public async ValueTask InitializeAsync()
    {
        _factory = StartApp(_folder, out var url, await SettingsAsync());
        BaseUrl = url;
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>Starts the app over the database in <paramref name="folder"/>; also used to "restart" it in tests.</summary>
    public static TestApp StartApp(string folder, out string baseUrl, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var factory = new TestApp(folder, settings ?? new Dictionary<string, string?>());
        factory.UseKestrel(0);
        factory.StartServer();
        baseUrl = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        return factory;
    }

    public async Task<IPage> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        page.SetDefaultTimeout(20_000);
        return page;
    }

    public TestApp App => _factory!;

    public virtual async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The app with its database in a test folder and fast offline streaming.</summary>
public sealed class TestApp(string folder, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(l => l.AddProvider(Logs));
        builder.UseSetting("ConnectionStrings:AutoMLGpt", TestDatabase.ConnectionStringFor(folder));
        builder.UseSetting("Offline:StreamDelayMilliseconds", "2");
        builder.UseSetting("Training:Isolation", "InProcess"); // tests follow training in this process; ChildProcessTrainingTests set ChildProcess
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "browser";
}
