using AutoMLGpt.Bench;

return await BenchCommands.RunAsync(args);
