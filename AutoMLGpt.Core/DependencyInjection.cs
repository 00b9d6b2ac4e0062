using AutoMLGpt.Core.Engines.Llm;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.TrainingJobs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Core;

public static class DependencyInjection
{
    public const string ConnectionStringName = PersistenceRegistration.ConnectionStringName;

    /// <summary>Registers the domain, feature by feature: persistence, access, knowledge and engines, experiments and reviews, training.</summary>
    /// <param name="addChatClient">Registers the <see cref="IChatClient"/> of the configured provider (the host's <c>AddLlm</c>); not called offline.</param>
    public static IServiceCollection AddAutoMLGptCore(this IServiceCollection services, IConfiguration configuration, string contentRoot,
        Action<IServiceCollection, LlmOptions>? addChatClient = null)
    {
        var database = services.AddPersistence(configuration, contentRoot);
        if (services.All(d => d.ServiceType != typeof(TimeProvider))) services.AddSingleton(TimeProvider.System);
        services.AddValidatedOptions<Access.TeamSignInOptions>(configuration, Access.TeamSignInOptions.Section, o => o.Problems());
        services.AddSingleton<Access.Accounts>();
        services.AddEngines(configuration, addChatClient);
        services.AddExperiments(configuration);
        services.AddTrainingJobs(configuration, Path.Combine(contentRoot, database.DataDirectory));
        // Hosted services start in this order and stop in the reverse: the heartbeats outlive the training queue's final saves.
        services.AddHostedService<StartupWarmup>();
        services.AddSingleton<RunHeartbeatService>();
        services.AddHostedService(sp => sp.GetRequiredService<RunHeartbeatService>());
        return services;
    }

    /// <summary>Experiments and what is built on them: runs and their limits, chat, heartbeats, history, reviews, bundles, projects.</summary>
    public static IServiceCollection AddExperiments(this IServiceCollection services, IConfiguration configuration)
    {
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

        return services;
    }
}
