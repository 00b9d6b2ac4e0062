using AutoMLGpt.Core.Engines.Llm;
using AutoMLGpt.Core.Engines.Offline;
using Microsoft.Extensions.AI;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Core.Knowledge.Portfolio;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AutoMLGpt.Core;

/// <summary>Where experiments are stored. Keys: <c>Database:Provider</c> and <c>ConnectionStrings:AutoMLGpt</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (the default), <c>SqlServer</c> or <c>PostgreSql</c>.</summary>
    public string Provider { get; set; } = "Sqlite";

    /// <summary>Folder for the default SQLite file, relative to the content root.</summary>
    public string DataDirectory { get; set; } = "App_Data";

    public IEnumerable<string> Problems(string? connection)
    {
        switch (Provider.Trim().ToLowerInvariant())
        {
            case "sqlite":
                if (string.IsNullOrWhiteSpace(DataDirectory)) yield return "Database:DataDirectory is empty; give a folder for the SQLite file (App_Data by default).";
                break;
            case "sqlserver" or "postgresql":
                if (string.IsNullOrWhiteSpace(connection))
                    yield return $"Database:Provider is {Provider} but ConnectionStrings:AutoMLGpt is empty; set it (e.g. ConnectionStrings__AutoMLGpt).";
                break;
            default:
                yield return $"Database:Provider is \"{Provider}\"; use Sqlite, SqlServer or PostgreSql.";
                break;
        }
    }
}

/// <summary>What the settings page shows about storage, without handing it the configuration.</summary>
public sealed record StorageSummary(string Provider, string Connection);

public static class DependencyInjection
{
    public const string ConnectionStringName = "AutoMLGpt";

    /// <summary>Registers the domain: persistence (provider chosen here, once), the store, the runner and the offline engine.</summary>
    /// <param name="addChatClient">Registers the <see cref="IChatClient"/> of the configured provider (the host's <c>AddLlm</c>); not called offline.</param>
    public static IServiceCollection AddAutoMLGptCore(this IServiceCollection services, IConfiguration configuration, string contentRoot,
        Action<IServiceCollection, LlmOptions>? addChatClient = null)
    {
        var connection = configuration.GetConnectionString(ConnectionStringName);
        var database = services.AddValidatedOptions<DatabaseOptions>(configuration, DatabaseOptions.Section, o => o.Problems(connection));
        services.AddSingleton(new StorageSummary(database.Provider,
            string.IsNullOrWhiteSpace(connection) ? "default SQLite file in the data folder" : $"from ConnectionStrings:{ConnectionStringName}"));
        switch (database.Provider.Trim().ToLowerInvariant())
        {
            case "sqlite":
                if (string.IsNullOrWhiteSpace(connection))
                {
                    var folder = Path.GetFullPath(Path.Combine(contentRoot, database.DataDirectory));
                    Directory.CreateDirectory(folder);
                    connection = $"Data Source={Path.Combine(folder, "automlgpt.db")}";
                }
                services.AddDbContextFactory<SqliteAppDbContext>(o => o.UseSqlite(connection));
                services.AddSingleton<IDbContextFactory<AppDbContext>>(sp => new Upcast<SqliteAppDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteAppDbContext>>()));
                break;
            case "sqlserver":
                services.AddDbContextFactory<SqlServerAppDbContext>(o => o.UseSqlServer(connection, s => s.EnableRetryOnFailure()));
                services.AddSingleton<IDbContextFactory<AppDbContext>>(sp => new Upcast<SqlServerAppDbContext>(sp.GetRequiredService<IDbContextFactory<SqlServerAppDbContext>>()));
                break;
            case "postgresql":
                services.AddDbContextFactory<PostgresAppDbContext>(o => o.UseNpgsql(connection, n => n.EnableRetryOnFailure()));
                services.AddSingleton<IDbContextFactory<AppDbContext>>(sp => new Upcast<PostgresAppDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresAppDbContext>>()));
                break;
        }

        services.TryAddSingletonTimeProvider();
        services.AddValidatedOptions<Access.TeamSignInOptions>(configuration, Access.TeamSignInOptions.Section, o => o.Problems());
        services.AddSingleton<Access.Accounts>();
        services.AddValidatedOptions<OfflineEngineOptions>(configuration, "Offline");
        services.AddValidatedOptions<EncoderOptions>(configuration, EncoderOptions.Section);
        services.AddValidatedOptions<KnowledgeOptions>(configuration, KnowledgeOptions.Section);
        services.AddValidatedOptions<PortfolioOptions>(configuration, PortfolioOptions.Section, o => o.Problems());
        services.AddSingleton<TextEncoder>(sp => EncoderFactory.Create(sp.GetRequiredService<EncoderOptions>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("AutoMLGpt.Encoder")));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<TextEncoder>());
        services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILogger<KnowledgeBase>>();
            IReadOnlyList<ExperienceRecord> pack = [];
            try { pack = KnowledgeBase.LoadEmbeddedPack().Records; }
            catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidDataException)
            {
                // Recommendations then fall back to the rules alone; say so rather than stop the app.
                logger.LogWarning("The knowledge pack could not be loaded ({Message}); similar-dataset transfer is off until it is regenerated.", ex.Message);
            }
            var knowledge = new KnowledgeBase(sp.GetRequiredService<TextEncoder>(), sp.GetRequiredService<KnowledgeOptions>(), logger, pack);
            try
            {
                if (ResultsMatrix.LoadEmbedded() is { } matrix)
                {
                    knowledge.WithPortfolio(matrix, sp.GetRequiredService<PortfolioOptions>());
                    logger.LogInformation("Results matrix: {Candidates} candidates × {Datasets} datasets × {Seeds} splits", matrix.Candidates.Count, matrix.Datasets.Count, matrix.Seeds.Length);
                }
                else logger.LogWarning("No results matrix in this build; recommendations transfer the neighbours' values instead of choosing.");
            }
            catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or InvalidDataException)
            {
                logger.LogWarning("The results matrix could not be loaded ({Message}); recommendations transfer the neighbours' values instead of choosing.", ex.Message);
            }
            return knowledge;
        });
        services.AddSingleton<IExperienceSink>(sp => sp.GetRequiredService<KnowledgeBase>());
        services.AddSingleton<IPortfolioKnowledge>(sp => sp.GetRequiredService<KnowledgeBase>());
        services.AddSingleton(sp => new OfflineEngine(sp.GetRequiredService<OfflineEngineOptions>(), sp.GetRequiredService<KnowledgeBase>()));

        // The language model: offline unless configured; the section is read here, once, and bad settings stop the app at
        // start with the key named. The provider's client (e.g. OpenAI's) is registered by the host through addChatClient.
        var llm = services.AddValidatedOptions<LlmOptions>(configuration, LlmOptions.Section, o => LlmProblems(o, configuration));
        services.AddSingleton(Secrets.Of(llm));
        if (!llm.IsOffline) addChatClient?.Invoke(services, llm);
        services.AddSingleton<IExperimentEngine>(sp => llm.IsOffline
            ? sp.GetRequiredService<OfflineEngine>()
            : new LlmEngine(sp.GetRequiredService<IChatClient>(), llm, sp.GetRequiredService<KnowledgeBase>(), sp.GetRequiredService<Secrets>()));

        services.AddSingleton(sp => new AutoMLGpt.Core.Reports.HistoryQuestionAsker(sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<AutoMLGpt.Core.Reports.HistoryQuestionAsker>>(), llm.IsOffline ? null : sp.GetRequiredService<IChatClient>(), llm));
        services.AddSingleton(sp => new ExperimentEngines(sp.GetRequiredService<IExperimentEngine>(), sp.GetRequiredService<OfflineEngine>()));
        services.AddValidatedOptions<UsageLimitOptions>(configuration, UsageLimitOptions.Section, o => o.Problems());
        services.AddSingleton<UsageLimiter>();
        services.AddScoped<SessionIdentity>();
        services.AddValidatedOptions<RunOptions>(configuration, RunOptions.Section, o => o.Problems());
        services.AddSingleton<LiveRuns>();
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<AutoMLGpt.Core.Library.CardLibrary>();
        services.AddSingleton<AutoMLGpt.Core.Reports.ExperimentReviews>();
        services.AddSingleton<AutoMLGpt.Core.Reports.HistoryExport>();
        services.AddSingleton<AutoMLGpt.Core.Reports.ExperimentBundles>();
        services.AddValidatedOptions<AutoMLGpt.Core.Projects.ScriptCheckOptions>(configuration, AutoMLGpt.Core.Projects.ScriptCheckOptions.Section, o => o.Problems());
        services.AddSingleton<AutoMLGpt.Core.Projects.ScriptChecker>();
        services.AddSingleton<AutoMLGpt.Core.Projects.ProjectExports>();
        services.AddSingleton<ExperimentRunner>();
        services.AddSingleton<ChatRefiner>();

        services.AddTrainingJobs(configuration, Path.Combine(contentRoot, database.DataDirectory));
        services.AddHostedService<StartupWarmup>();
        services.AddSingleton<RunHeartbeatService>();
        services.AddHostedService(sp => sp.GetRequiredService<RunHeartbeatService>());
        return services;
    }

    /// <summary>Creates or migrates the database and interrupts runs whose process is gone.</summary>
    public static async Task InitialiseAutoMLGptDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            var where = db.Database.IsSqlite() ? $"the SQLite file {db.Database.GetDbConnection().DataSource}" : $"the {services.GetRequiredService<DatabaseOptions>().Provider} database";
            try
            {
                if (db.Database.IsSqlite()) await ClearStaleMigrationLockAsync(db, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILoggerFactory>(), cancellationToken);
                await db.Database.MigrateAsync(cancellationToken);
                if (db.Database.IsSqlite())
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken); // readers don't block the writer
            }
            catch (System.Data.Common.DbException ex)
            {
                // Fail fast, naming the file and what to do, rather than a bare provider error (or a hang).
                throw new InvalidOperationException(
                    $"The app cannot open or migrate {where}: {ex.Message} If the file is damaged or not a database, move it aside (the app creates a new one) or restore a backup; if it is read-only, make it writable.", ex);
            }
        }
        if (services.GetRequiredService<Access.TeamSignInOptions>().Enabled)
            await services.GetRequiredService<Access.Accounts>().EnsureRolesAsync(cancellationToken);
        // Runs whose process is gone (no heartbeat for Runs:StaleAfterSeconds) become interrupted now; fresher ones, which
        // may belong to another instance on this database, are left to the heartbeat service's later sweeps.
        await services.GetRequiredService<RunHeartbeatService>().BeatAndSweepAsync(cancellationToken);
        // Finished training runs of earlier sessions join the experience store again.
        await services.GetRequiredService<TrainingService>().LearnFinishedRunsAsync(cancellationToken);
    }

    /// <summary>Locks older than this are left by a migrator that died (EF does not detect stale locks on SQLite).</summary>
    public static readonly TimeSpan StaleMigrationLock = TimeSpan.FromMinutes(10);

    private static async Task ClearStaleMigrationLockAsync(AppDbContext db, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var connection = (Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        try
        {
            await using var check = connection.CreateCommand();
            check.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'";
            if (Convert.ToInt64(await check.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0) return;
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT \"Id\", \"Timestamp\" FROM \"__EFMigrationsLock\"";
            var stale = new List<long>();
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                {
                    var taken = DateTimeOffset.TryParse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
                    if (clock.GetUtcNow() - taken > StaleMigrationLock) stale.Add(reader.GetInt64(0));
                }
            foreach (var id in stale)
            {
                await using var delete = connection.CreateCommand();
                delete.CommandText = "DELETE FROM \"__EFMigrationsLock\" WHERE \"Id\" = $id";
                delete.Parameters.AddWithValue("$id", id);
                await delete.ExecuteNonQueryAsync(cancellationToken);
                loggers.CreateLogger("AutoMLGpt.Startup").LogWarning("Removed a migration lock older than {Minutes} minutes, left by a process that stopped while migrating", StaleMigrationLock.TotalMinutes);
            }
        }
        finally { await connection.CloseAsync(); }
    }

    private static IEnumerable<string> LlmProblems(LlmOptions llm, IConfiguration configuration)
    {
        foreach (var problem in llm.Problems()) yield return problem;
        if (!llm.IsOffline && ApiKeyFromAppSettings(configuration) is { } file)
            yield return $"Llm:ApiKey is set in {file}; keys must not live in files that get committed. Use `dotnet user-secrets set Llm:ApiKey ...` or the Llm__ApiKey environment variable.";
    }

    // Which appsettings*.json file, if any, provides Llm:ApiKey (user secrets and environment variables are fine).
    private static string? ApiKeyFromAppSettings(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root) return null;
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet("Llm:ApiKey", out var value) || string.IsNullOrEmpty(value)) continue;
            return provider is FileConfigurationProvider { Source.Path: { } path } && Path.GetFileName(path).StartsWith("appsettings", StringComparison.OrdinalIgnoreCase)
                ? Path.GetFileName(path) : null;
        }
        return null;
    }

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider))) services.AddSingleton(TimeProvider.System);
    }

    // Lets the store depend on the provider-neutral context while each provider keeps its own migrations.
    private sealed class Upcast<T>(IDbContextFactory<T> inner) : IDbContextFactory<AppDbContext> where T : AppDbContext
    {
        public AppDbContext CreateDbContext() => inner.CreateDbContext();
        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => await inner.CreateDbContextAsync(cancellationToken);
    }
}

/// <summary>Options bound the .NET way, with the problems of a bad setting named by key.</summary>
public static class ValidatedOptions
{
    /// <summary>
    /// Binds <paramref name="section"/> with <c>AddOptions().Bind().ValidateOnStart()</c>, validates it with the class's
    /// own problem list (each message names its key), and registers the bound value itself for constructors. Problems
    /// also throw here, at registration: a bad setting stops the app before anything starts.
    /// </summary>
    public static T AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section, Func<T, IEnumerable<string>>? problems = null)
        where T : class, new()
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        if (problems is not null) services.AddSingleton<IValidateOptions<T>>(new ProblemsValidator<T>(problems));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        var value = configuration.GetSection(section).Get<T>() ?? new T();
        if (problems?.Invoke(value).ToList() is { Count: > 0 } list) throw new OptionsValidationException(section, typeof(T), list);
        return value;
    }
}

/// <summary>Options validation that reports each problem with the key it concerns (the options class's own <c>Problems()</c>).</summary>
internal sealed class ProblemsValidator<T>(Func<T, IEnumerable<string>> problems) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        problems(options).ToList() is { Count: > 0 } list ? ValidateOptionsResult.Fail(list) : ValidateOptionsResult.Success;
}
