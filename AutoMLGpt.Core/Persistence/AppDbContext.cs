using System.Collections.Concurrent;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Access;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutoMLGpt.Core.Persistence;

/// <summary>
/// The model shared by both providers; each provider has its own subclass and its own migration set. The Identity
/// tables (accounts and roles) are part of it, used only when sign-in is on.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    /// <summary>ASP.NET Core Data Protection keys (cookies, antiforgery), shared by every web node on this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<ExperimentEntity> Experiments => Set<ExperimentEntity>();
    public DbSet<StageEntity> Stages => Set<StageEntity>();
    public DbSet<RevisionEntity> Revisions => Set<RevisionEntity>();
    public DbSet<ChatMessageEntity> Messages => Set<ChatMessageEntity>();
    public DbSet<TrainingJobEntity> TrainingJobs => Set<TrainingJobEntity>();
    public DbSet<TrainingModelEntity> TrainingModels => Set<TrainingModelEntity>();
    public DbSet<LibraryCardEntity> LibraryCards => Set<LibraryCardEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfiguration(new ExperimentConfiguration());
        modelBuilder.ApplyConfiguration(new StageConfiguration());
        modelBuilder.ApplyConfiguration(new RevisionConfiguration());
        modelBuilder.ApplyConfiguration(new ChatMessageConfiguration());
        modelBuilder.ApplyConfiguration(new TrainingJobConfiguration());
        modelBuilder.ApplyConfiguration(new TrainingModelConfiguration());
        modelBuilder.ApplyConfiguration(new LibraryCardConfiguration());
    }

    /// <summary>Runs a set-based write (ExecuteUpdate / ExecuteDelete) in turn with the other writers where the provider needs it.</summary>
    public async Task<int> WriteAsync(Func<CancellationToken, Task<int>> write, CancellationToken cancellationToken = default)
    {
        using var turn = await EnterWriteAsync(cancellationToken);
        return await write(cancellationToken);
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        using var turn = await EnterWriteAsync(cancellationToken);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        using var turn = EnterWrite();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>Null where the database takes concurrent writers itself.</summary>
    protected virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    protected virtual IDisposable? EnterWrite() => null;
}

/// <summary>
/// SQLite has one writer per file, and Microsoft.Data.Sqlite waits for a busy lock by sleeping on the calling thread.
/// Under load (dozens of streams checkpointing) those sleeping threads starve the thread pool, the lock holder cannot
/// resume, and writers time out with "database is locked". Writers therefore queue here, asynchronously, one per file.
/// </summary>
public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options)
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    protected override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        var gate = GateForThisFile();
        await gate.WaitAsync(cancellationToken);
        return new Turn(gate);
    }

    protected override IDisposable? EnterWrite()
    {
        var gate = GateForThisFile();
        gate.Wait();
        return new Turn(gate);
    }

    private SemaphoreSlim GateForThisFile()
    {
        var file = Database.GetDbConnection().DataSource;
        return Gates.GetOrAdd(string.IsNullOrEmpty(file) ? ":memory:" : Path.GetFullPath(file), _ => new SemaphoreSlim(1, 1));
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;
        public void Dispose() { if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release(); }
    }
}

public sealed class SqlServerAppDbContext(DbContextOptions<SqlServerAppDbContext> options) : AppDbContext(options);

/// <summary>PostgreSQL (Npgsql): the server database CI really runs; several web nodes and workers share it.</summary>
public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options);

internal sealed class ExperimentConfiguration : IEntityTypeConfiguration<ExperimentEntity>
{
    public void Configure(EntityTypeBuilder<ExperimentEntity> b)
    {
        b.ToTable("Experiments");
        b.HasKey(e => e.Id);
        b.Property(e => e.Name).HasMaxLength(420).IsRequired();
        b.Property(e => e.DatasetName).HasMaxLength(200).IsRequired();
        b.Property(e => e.ModelName).HasMaxLength(200).IsRequired();
        b.Property(e => e.Engine).HasMaxLength(200).IsRequired();
        b.Property(e => e.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(e => e.Error).HasMaxLength(4000);
        b.Property(e => e.CardsJson).IsRequired();
        b.Property(e => e.DatasetFile).HasMaxLength(100);
        b.Property(e => e.PromptParagraph).IsRequired();
        b.Property(e => e.Notes).HasMaxLength(8000);
        b.Property(e => e.ImportedFrom).HasMaxLength(500);
        b.Property(e => e.Tags).HasMaxLength(ExperimentTags.MaxStoredLength).HasDefaultValue("");
        b.Property(e => e.Version).IsConcurrencyToken();
        b.Property(e => e.OwnerId).HasMaxLength(450);
        b.HasIndex(e => e.OwnerId);
        b.HasIndex(e => e.CreatedUtc);
        b.HasIndex(e => e.Status);
        b.HasMany(e => e.Stages).WithOne().HasForeignKey(s => s.ExperimentId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(e => e.Revisions).WithOne().HasForeignKey(r => r.ExperimentId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(e => e.Messages).WithOne().HasForeignKey(m => m.ExperimentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StageConfiguration : IEntityTypeConfiguration<StageEntity>
{
    public void Configure(EntityTypeBuilder<StageEntity> b)
    {
        b.ToTable("Stages");
        b.HasKey(s => s.Id);
        b.Property(s => s.Stage).HasConversion<string>().HasMaxLength(40);
        b.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(s => s.Error).HasMaxLength(4000);
        b.Property(s => s.CurveMetric).HasMaxLength(100);
        b.HasIndex(s => new { s.ExperimentId, s.Revision, s.Stage }).IsUnique();
    }
}

internal sealed class RevisionConfiguration : IEntityTypeConfiguration<RevisionEntity>
{
    public void Configure(EntityTypeBuilder<RevisionEntity> b)
    {
        b.ToTable("Revisions");
        b.HasKey(r => r.Id);
        b.Property(r => r.Reason).HasMaxLength(500);
        b.Property(r => r.Engine).HasMaxLength(200);
        b.Property(r => r.EngineSettingsJson).HasMaxLength(2000);
        b.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(r => new { r.ExperimentId, r.Number }).IsUnique();
    }
}

internal sealed class ChatMessageConfiguration : IEntityTypeConfiguration<ChatMessageEntity>
{
    public void Configure(EntityTypeBuilder<ChatMessageEntity> b)
    {
        b.ToTable("ChatMessages");
        b.HasKey(m => m.Id);
        b.Property(m => m.Role).HasMaxLength(20);
        b.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(m => new { m.ExperimentId, m.CreatedUtc });
    }
}

internal sealed class TrainingJobConfiguration : IEntityTypeConfiguration<TrainingJobEntity>
{
    public void Configure(EntityTypeBuilder<TrainingJobEntity> b)
    {
        b.ToTable("TrainingJobs");
        b.HasKey(j => j.Id);
        b.Property(j => j.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(j => j.DatasetFile).HasMaxLength(100);
        b.Property(j => j.ModelFile).HasMaxLength(100);
        b.Property(j => j.MetricName).HasMaxLength(40);
        b.Property(j => j.Mode).HasMaxLength(20).HasDefaultValue(TrainingJobs.TrainingModes.Recommended);
        b.Property(j => j.ClaimedBy).HasMaxLength(200);
        b.Property(j => j.Error).HasMaxLength(4000);
        b.HasIndex(j => new { j.ExperimentId, j.CreatedUtc });
        b.HasIndex(j => j.Status);
        b.HasOne<ExperimentEntity>().WithMany().HasForeignKey(j => j.ExperimentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(j => j.Model).WithOne().HasForeignKey<TrainingModelEntity>(m => m.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TrainingModelConfiguration : IEntityTypeConfiguration<TrainingModelEntity>
{
    public void Configure(EntityTypeBuilder<TrainingModelEntity> b)
    {
        b.ToTable("TrainingModels");
        b.HasKey(m => m.JobId);
    }
}

/// <summary>Design-time factories so `dotnet ef migrations add` works per provider without a running server.</summary>
internal sealed class SqliteDesignFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class SqlServerDesignFactory : IDesignTimeDbContextFactory<SqlServerAppDbContext>
{
    public SqlServerAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerAppDbContext>().UseSqlServer("Server=(design);Database=AutoMLGpt;Trusted_Connection=True").Options);
}

internal sealed class PostgresDesignFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAppDbContext>().UseNpgsql("Host=design;Database=automlgpt").Options);
}

internal sealed class LibraryCardConfiguration : IEntityTypeConfiguration<LibraryCardEntity>
{
    public void Configure(EntityTypeBuilder<LibraryCardEntity> b)
    {
        b.ToTable("LibraryCards");
        b.HasKey(c => c.Id);
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.Name).HasMaxLength(200).IsRequired();
        b.Property(c => c.Origin).HasMaxLength(300);
        b.Property(c => c.CardJson).IsRequired();
        b.Property(c => c.SearchText).IsRequired();
        b.Property(c => c.OwnerId).HasMaxLength(450);
        b.Property(c => c.Version).IsConcurrencyToken();
        b.HasIndex(c => new { c.Kind, c.UpdatedUtc });
    }
}
