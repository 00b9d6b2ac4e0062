using AutoMLGpt.Core.Training.Distributed;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AutoMLGpt.Core.TrainingJobs;

public static class TrainingJobsRegistration
{
    /// <summary>
    /// Real training: its options (<c>Training:*</c>, validated at start), the data folder, the job store, intake, the
    /// engine behind <see cref="ITabularTrainer"/>, the live jobs, the runner, the hosted queue and the facade the pages use.
    /// </summary>
    /// <param name="dataFolder">Where uploads, shards and older model files live (the database's data directory).</param>
    public static IServiceCollection AddTrainingJobs(this IServiceCollection services, IConfiguration configuration, string dataFolder)
    {
        services.AddValidatedOptions<TrainingOptions>(configuration, TrainingOptions.Section, o => o.Problems());
        services.AddSingleton(sp =>
        {
            var distributed = sp.GetRequiredService<TrainingOptions>().Distributed;
            IDistributedLauncher launcher = distributed.OnKubernetes
                ? new KubernetesLauncher(distributed.Kubernetes, () => new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildDefaultConfig()))
                : new LocalProcessLauncher(distributed);
            return new DistributedTrainer(distributed, launcher);
        });
        services.AddSingleton(new DataFolders(dataFolder));
        services.AddSingleton<TrainingJobStore>();
        services.AddSingleton<DatasetIntake>();
        services.AddSingleton<ITabularTrainer, LightGbmTabularTrainer>();
        services.AddSingleton<LiveTrainingJobs>();
        services.AddSingleton<TrainingExperience>();
        services.AddSingleton<TrainingJobRunner>();
        services.AddSingleton<TrainingQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<TrainingQueue>());
        services.AddSingleton<TrainingService>();
        return services;
    }
}
