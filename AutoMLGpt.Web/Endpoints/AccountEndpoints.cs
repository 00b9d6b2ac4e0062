using AutoMLGpt.Core.Access;
using AutoMLGpt.Web.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace AutoMLGpt.Web.Endpoints;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // Sign-out is a POST with the antiforgery token (a link could sign a user out from another site).
        endpoints.MapPost("/account/logout", LogoutAsync);
        return endpoints;
    }

    private static async Task<RedirectHttpResult> LogoutAsync(TeamSignInOptions signIn, HttpContext http)
    {
        if (signIn.Enabled) // Identity's services exist only with sign-in on
            await http.RequestServices.GetRequiredService<SignInManager<AppUser>>().SignOutAsync();
        return TypedResults.LocalRedirect(SignInSetup.LoginPath);
    }
}
