using AutoMLGpt.Core;

// A training worker: claims queued jobs from the shared database (with a lease: its heartbeat), trains them, and writes
// the log, curve and result back, so any web node follows them. Run as many as there are machines to train on.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddAutoMLGptCore(builder.Configuration, builder.Environment.ContentRootPath);
var host = builder.Build();
await host.Services.InitialiseAutoMLGptDatabaseAsync();
host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AutoMLGpt.Worker").LogInformation(
    "Training worker {Worker} on {Provider}: claiming queued jobs.", AutoMLGpt.Core.TrainingJobs.TrainingJobStore.ThisProcess,
    host.Services.GetRequiredService<AutoMLGpt.Core.StorageSummary>().Provider);
await host.RunAsync();
