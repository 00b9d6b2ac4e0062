using System.Security.Claims;
using AutoMLGpt.Core.Access;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AutoMLGpt.Web.Access;

/// <summary>
/// Sign-in for a team (ASP.NET Core Identity, local accounts, cookies), on when <c>SignIn:Enabled</c> is true. Off, the
/// app is the single-user default: no account, no login page in the way, every viewer is <see cref="Viewer.SingleUser"/>.
/// </summary>
public static class SignInSetup
{
    public const string LoginPath = "/account/login";

    public static WebApplicationBuilder AddSignIn(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddScoped<CurrentViewer>();
        if (!builder.Configuration.GetSection(TeamSignInOptions.Section).Get<TeamSignInOptions>()?.Enabled ?? true) return builder;

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingViewerStateProvider>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();
        services.AddIdentityCore<AppUser>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = LoginPath;
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = "AutoMLGpt.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
        });
        // A changed role or a removed account reaches open sessions within a minute, not the default 30.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return builder;
    }

    /// <summary>Authentication, authorisation (every endpoint needs an account unless it allows anonymous) and the page gate.</summary>
    public static WebApplication UseSignIn(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<TeamSignInOptions>().Enabled) return app;
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<AccessGate>();
        return app;
    }

    /// <summary>Who a request or circuit belongs to, in the domain's terms.</summary>
    public static Viewer ViewerOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true
            ? new Viewer(user.FindFirstValue(ClaimTypes.NameIdentifier), AccessRoles.Highest(user.FindAll(ClaimTypes.Role).Select(c => c.Value)), true, user.Identity.Name)
            : new Viewer(null, AccessLevel.Viewer, true);
}

/// <summary>The viewer of this circuit or request: <see cref="Viewer.SingleUser"/> with sign-in off.</summary>
public sealed class CurrentViewer(TeamSignInOptions options, IServiceProvider services)
{
    public bool SignInEnabled => options.Enabled;

    public async Task<Viewer> GetAsync()
    {
        if (!options.Enabled) return Viewer.SingleUser;
        var state = await services.GetRequiredService<AuthenticationStateProvider>().GetAuthenticationStateAsync();
        return SignInSetup.ViewerOf(state.User);
    }

    /// <summary>Raised when the circuit's sign-in changes (the account was removed or its role changed).</summary>
    public void OnChanged(Action<Viewer> handler)
    {
        if (!options.Enabled) return;
        services.GetRequiredService<AuthenticationStateProvider>().AuthenticationStateChanged += async task => handler(SignInSetup.ViewerOf((await task).User));
    }

    public static Viewer Of(HttpContext http) =>
        http.RequestServices.GetRequiredService<TeamSignInOptions>().Enabled ? SignInSetup.ViewerOf(http.User) : Viewer.SingleUser;
}

/// <summary>
/// Refuses what the viewer may not read before a page renders: another account's private experiment, and the admin
/// pages. (Inside a circuit the pages check the same rules, since navigation there makes no HTTP request.)
/// </summary>
internal sealed class AccessGate(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http, ExperimentStore store)
    {
        if (HttpMethods.IsGet(http.Request.Method) && http.User.Identity?.IsAuthenticated == true)
        {
            var viewer = SignInSetup.ViewerOf(http.User);
            var path = http.Request.Path.Value?.TrimEnd('/') ?? "";
            var refusal = path switch
            {
                "/settings" or "/admin/accounts" when !viewer.CanAdminister => "This page is for admins: the language-model settings and the accounts.",
                _ when ExperimentPageId(path) is { } id && await store.OwnershipAsync(id, http.RequestAborted) is { } owner && !viewer.CanRead(owner.OwnerId, owner.Shared)
                    => "This experiment is private to its owner. Ask them to share it, or an admin to open it.",
                _ => null,
            };
            if (refusal is not null)
            {
                await AccessResults.WriteForbiddenAsync(http, refusal);
                return;
            }
        }
        await next(http);
    }

    private static Guid? ExperimentPageId(string path) =>
        path.StartsWith("/experiments/", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(path["/experiments/".Length..], out var id) ? id : null;
}

/// <summary>The answers of download endpoints and the gate when access is refused.</summary>
public static class AccessResults
{
    public static Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult Forbidden(string message) => TypedResults.Text(message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);

    public static async Task WriteForbiddenAsync(HttpContext http, string message)
    {
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        http.Response.ContentType = "text/html; charset=utf-8";
        var text = System.Net.WebUtility.HtmlEncode(message);
        await http.Response.WriteAsync($"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not allowed · AutoML-GPT</title></head>" +
            $"<body style=\"font-family:system-ui,sans-serif;margin:3rem\"><h1>Not allowed</h1><p id=\"access-denied\">{text}</p><p><a href=\"/history\">Back to the history</a></p></body></html>");
    }

    /// <summary>Null when <paramref name="http"/>'s viewer may read the experiment; else 404 (gone) or 403.</summary>
    public static async Task<IResult?> ExperimentAsync(HttpContext http, Guid experimentId)
    {
        var viewer = CurrentViewer.Of(http);
        if (viewer.SeesEverything) return null;
        var owner = await http.RequestServices.GetRequiredService<ExperimentStore>().OwnershipAsync(experimentId, http.RequestAborted);
        if (owner is null) return Results.NotFound();
        return viewer.CanRead(owner.OwnerId, owner.Shared) ? null : Forbidden("This experiment is private to its owner; ask them to share it.");
    }
}
