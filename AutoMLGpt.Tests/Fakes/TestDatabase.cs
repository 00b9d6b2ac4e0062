using AutoMLGpt.Core;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>The domain's services over a real SQLite file in a temporary folder, migrated as the app does it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly bool _ownsFolder;

    private TestDatabase(string folder, ServiceProvider services, IServiceCollection registrations, bool ownsFolder) =>
        (Folder, Services, Registrations, _ownsFolder) = (folder, services, registrations, ownsFolder);

    /// <summary>What <c>AddAutoMLGptCore</c> (and the test's own <c>configure</c>) registered, e.g. for a bUnit context to forward.</summary>
    public IServiceCollection Registrations { get; }

    public string Folder { get; }
    public ServiceProvider Services { get; }
    public ExperimentStore Store => Services.GetRequiredService<ExperimentStore>();
    public ExperimentRunner Runner => Services.GetRequiredService<ExperimentRunner>();
    public IDbContextFactory<AppDbContext> Factory => Services.GetRequiredService<IDbContextFactory<AppDbContext>>();

    public static string ConnectionStringFor(string folder) => $"Data Source={Path.Combine(folder, "test.db")};Pooling=False";

    /// <summary>Another factory on this database's file, whose commands pass through <paramref name="interceptors"/> (injected faults).</summary>
    public IDbContextFactory<AppDbContext> FactoryWith(params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors) =>
        FactoryFor(ConnectionStringFor(Folder), interceptors);

    /// <summary>A SQLite factory on <paramref name="connection"/> (e.g. with a shorter lock timeout), through <paramref name="interceptors"/>.</summary>
    public static IDbContextFactory<AppDbContext> FactoryFor(string connection, params Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor[] interceptors) =>
        new InterceptedFactory(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite(connection).AddInterceptors(interceptors).Options);

    private sealed class InterceptedFactory(DbContextOptions<SqliteAppDbContext> options) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext() => new SqliteAppDbContext(options);
    }

    /// <param name="folder">
    /// Reuse a folder to open an existing database (restart tests, or beside a running app); it is then left in place.
    /// A new temporary folder, deleted on dispose, by default.
    /// </param>
    /// <param name="settings">Overrides, e.g. <c>Database:Provider</c> and the connection string of a server database.</param>
    public static async Task<TestDatabase> CreateAsync(string? folder = null, Action<IServiceCollection>? configure = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var ownsFolder = folder is null;
        folder ??= Directory.CreateTempSubdirectory("automlgpt-test-").FullName;
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AutoMLGpt"] = ConnectionStringFor(folder),
            ["Offline:StreamDelayMilliseconds"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddAutoMLGptCore(configuration, folder);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await provider.InitialiseAutoMLGptDatabaseAsync();
        return new TestDatabase(folder, provider, services, ownsFolder);
    }

    /// <summary>Closes the services but keeps the file, as an app shutdown would.</summary>
    public ValueTask CloseAsync() => Services.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (!_ownsFolder) return;
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
