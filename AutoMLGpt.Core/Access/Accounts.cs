using AutoMLGpt.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AutoMLGpt.Core.Access;

/// <summary>Sign-in for a team. Key: <c>SignIn:*</c>. Off by default: the single-user app needs no account.</summary>
public sealed class TeamSignInOptions
{
    public const string Section = "SignIn";

    /// <summary>On: every page and download needs an account; experiments and cards get owners and are private or shared.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// <c>FirstAccountOnly</c> (default): only the first account registers itself (and becomes admin); admins add the
    /// others. <c>Open</c>: anyone who can reach the app registers, with <see cref="NewAccountRole"/>.
    /// </summary>
    public string Registration { get; set; } = "FirstAccountOnly";

    /// <summary>The role of self-registered accounts after the first: viewer or editor.</summary>
    public string NewAccountRole { get; set; } = AccessRoles.Viewer;

    public bool OpenRegistration => string.Equals(Registration, "Open", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Problems()
    {
        if (!OpenRegistration && !string.Equals(Registration, "FirstAccountOnly", StringComparison.OrdinalIgnoreCase))
            yield return $"SignIn:Registration is \"{Registration}\"; use FirstAccountOnly or Open.";
        if (!string.Equals(NewAccountRole, AccessRoles.Viewer, StringComparison.OrdinalIgnoreCase) && !string.Equals(NewAccountRole, AccessRoles.Editor, StringComparison.OrdinalIgnoreCase))
            yield return $"SignIn:NewAccountRole is \"{NewAccountRole}\"; use viewer or editor (the first account is always admin).";
    }
}

/// <summary>One account as the admin page lists it.</summary>
public sealed record AccountSummary(string Id, string UserName, AccessLevel Level, bool LockedOut);

/// <summary>
/// The accounts and their roles, read and changed through the context factory (Identity's UserManager needs a scoped
/// context, which a long-lived circuit must not hold). Password and sign-in stay with Identity.
/// </summary>
public sealed class Accounts(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    /// <summary>The three roles exist (idempotent; run at start when sign-in is on).</summary>
    public async Task EnsureRolesAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var existing = await db.Roles.Select(r => r.NormalizedName).ToListAsync(cancellationToken);
        foreach (var role in AccessRoles.All.Where(r => !existing.Contains(r.ToUpperInvariant())))
            db.Roles.Add(new IdentityRole(role) { NormalizedName = role.ToUpperInvariant(), ConcurrencyStamp = Guid.NewGuid().ToString() });
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AnyAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.AsNoTracking().OrderBy(u => u.UserName).Select(u => new { u.Id, u.UserName, u.LockoutEnd }).ToListAsync(cancellationToken);
        var roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return users.Select(u => new AccountSummary(u.Id, u.UserName ?? "", AccessRoles.Highest(roles.Where(r => r.UserId == u.Id).Select(r => r.Name ?? "")),
            u.LockoutEnd is { } end && end > now)).ToList();
    }

    /// <summary>
    /// Gives the account exactly one role. The last admin cannot be demoted (the app would have nobody to manage it).
    /// The security stamp changes, so the account's open sessions pick the new role up at their next validation.
    /// </summary>
    public async Task SetLevelAsync(string userId, AccessLevel level, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken) ?? throw new KeyNotFoundException("That account no longer exists.");
        var roles = await db.Roles.ToListAsync(cancellationToken);
        var admin = roles.Single(r => r.Name == AccessRoles.Admin);
        if (level != AccessLevel.Admin
            && await db.UserRoles.AnyAsync(ur => ur.UserId == userId && ur.RoleId == admin.Id, cancellationToken)
            && await db.UserRoles.CountAsync(ur => ur.RoleId == admin.Id, cancellationToken) == 1)
            throw new InvalidOperationException("This is the only admin; make another account admin first.");
        db.UserRoles.RemoveRange(db.UserRoles.Where(ur => ur.UserId == userId));
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = userId, RoleId = roles.Single(r => r.Name == AccessRoles.For(level)).Id });
        user.SecurityStamp = Guid.NewGuid().ToString();
        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The role a newly registered account gets: admin when no admin exists yet (the first account), else <paramref name="otherwise"/>.</summary>
    public async Task<AccessLevel> LevelForNewAccountAsync(string userId, AccessLevel otherwise, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var adminId = await db.Roles.Where(r => r.Name == AccessRoles.Admin).Select(r => r.Id).SingleAsync(cancellationToken);
        return await db.UserRoles.AnyAsync(ur => ur.RoleId == adminId && ur.UserId != userId, cancellationToken) ? otherwise : AccessLevel.Admin;
    }
}
