using Microsoft.AspNetCore.Identity;

namespace AutoMLGpt.Core.Access;

/// <summary>A local account (ASP.NET Core Identity) when sign-in is on.</summary>
public sealed class AppUser : IdentityUser;

/// <summary>What an account may do. Higher levels include the lower ones.</summary>
public enum AccessLevel
{
    /// <summary>Reads shared experiments and cards; creates and changes nothing.</summary>
    Viewer = 0,
    /// <summary>Also creates experiments and cards and edits its own.</summary>
    Editor = 1,
    /// <summary>Everything: every experiment and card, the language-model settings and the accounts.</summary>
    Admin = 2,
}

/// <summary>Role names as stored by Identity, one per <see cref="AccessLevel"/>.</summary>
public static class AccessRoles
{
    public const string Viewer = "viewer";
    public const string Editor = "editor";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Viewer, Editor, Admin];

    public static string For(AccessLevel level) => level switch { AccessLevel.Admin => Admin, AccessLevel.Editor => Editor, _ => Viewer };

    /// <summary>The highest level among <paramref name="roles"/>; <see cref="AccessLevel.Viewer"/> when none is known.</summary>
    public static AccessLevel Highest(IEnumerable<string> roles)
    {
        var level = AccessLevel.Viewer;
        foreach (var role in roles)
        {
            if (string.Equals(role, Admin, StringComparison.OrdinalIgnoreCase)) return AccessLevel.Admin;
            if (string.Equals(role, Editor, StringComparison.OrdinalIgnoreCase)) level = AccessLevel.Editor;
        }
        return level;
    }
}

/// <summary>
/// Who is asking, and the one place that says what they may read and change. With sign-in off (the single-user
/// default) the viewer is <see cref="SingleUser"/> and may do everything. Experiments and cards made before sign-in was
/// turned on have no owner: every account reads them, only admins change them.
/// </summary>
public sealed record Viewer(string? UserId, AccessLevel Level, bool SignInEnabled, string? DisplayName = null)
{
    public static Viewer SingleUser { get; } = new(null, AccessLevel.Admin, SignInEnabled: false);

    /// <summary>Sees every experiment and card (no owner filter).</summary>
    public bool SeesEverything => !SignInEnabled || Level == AccessLevel.Admin;

    public bool CanCreate => !SignInEnabled || Level >= AccessLevel.Editor;

    /// <summary>Language-model settings, keys and accounts.</summary>
    public bool CanAdminister => !SignInEnabled || Level == AccessLevel.Admin;

    public bool CanRead(string? ownerId, bool shared) => SeesEverything || ownerId is null || shared || (UserId is not null && ownerId == UserId);

    public bool CanEdit(string? ownerId) => SeesEverything || (Level >= AccessLevel.Editor && UserId is not null && ownerId == UserId);

    /// <summary>The owner to record on something this viewer creates (none in single-user mode).</summary>
    public string? OwnerToRecord => SignInEnabled ? UserId : null;
}

/// <summary>Who owns a saved thing and whether other accounts may read it.</summary>
public sealed record Ownership(string? OwnerId, bool Shared, string? OwnerName = null);
