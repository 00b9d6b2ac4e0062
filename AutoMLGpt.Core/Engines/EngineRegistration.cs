using AutoMLGpt.Core.Engines.Llm;
using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Pipeline;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core;

public static class EngineRegistration
{
    /// <summary>
    /// The knowledge (encoder, experience pack, results matrix) and the engines that use it: the offline engine always,
    /// the language model when configured; the section is read once, and a bad setting stops the app at start with its key.
    /// </summary>
    /// <param name="addChatClient">Registers the <see cref="IChatClient"/> of the configured provider (the host's <c>AddLlm</c>); not called offline.</param>
    public static IServiceCollection AddEngines(this IServiceCollection services, IConfiguration configuration, Action<IServiceCollection, LlmOptions>? addChatClient = null)
    {
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
        return services;
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

}
