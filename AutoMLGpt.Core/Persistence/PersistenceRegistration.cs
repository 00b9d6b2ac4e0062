using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using AutoMLGpt.Core.TrainingJobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

public static class PersistenceRegistration
{
    public const string ConnectionStringName = "AutoMLGpt";

    /// <summary>The database: the provider chosen here, once (<c>Database:Provider</c>), each with its own migrations; stores use the factory.</summary>
    /// <returns>The bound options (the data directory is also where uploads live).</returns>
    public static DatabaseOptions AddPersistence(this IServiceCollection services, IConfiguration configuration, string contentRoot)
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

        return database;
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

    // Lets the store depend on the provider-neutral context while each provider keeps its own migrations.
    private sealed class Upcast<T>(IDbContextFactory<T> inner) : IDbContextFactory<AppDbContext> where T : AppDbContext
    {
        public AppDbContext CreateDbContext() => inner.CreateDbContext();
        public async Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => await inner.CreateDbContextAsync(cancellationToken);
    }
}
