using AutoMLGpt.Bench;

// The distributed suite starts this program again as each process of a LightGBM job.
if (args.Contains(AutoMLGpt.Core.Training.Distributed.DistributedRank.Flag))
    return AutoMLGpt.Core.Training.Distributed.DistributedRank.Run(args);
// The intake-memory suite measures each upload in a fresh process of its own.
if (args.Length > 0 && args[0] == "intake-child") return await BenchCommands.IntakeChildAsync(args);
return await BenchCommands.RunAsync(args);
