using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoMLGpt.Core;

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
