using AutoMLGpt.Bench;

// The distributed suite starts this program again as each process of a LightGBM job.
if (args.Contains(AutoMLGpt.Core.Training.Distributed.DistributedRank.Flag))
    return AutoMLGpt.Core.Training.Distributed.DistributedRank.Run(args);
return await BenchCommands.RunAsync(args);
