// A training worker for another machine: the same database and data folder settings as the web nodes (see SCALE.md).
// With --lightgbm-rank it is one process of a distributed LightGBM job instead (a local launcher or a Kubernetes pod starts it).
if (args.Contains(AutoMLGpt.Core.Training.Distributed.DistributedRank.Flag))
    Environment.Exit(AutoMLGpt.Core.Training.Distributed.DistributedRank.Run(args));
await AutoMLGpt.Core.TrainingJobs.WorkerHost.RunAsync(args);
