// A training worker for another machine: the same database and data folder settings as the web nodes (see SCALE.md).
await AutoMLGpt.Core.TrainingJobs.WorkerHost.RunAsync(args);
