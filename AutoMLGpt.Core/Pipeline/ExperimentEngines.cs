using AutoMLGpt.Core.Engines.Offline;

namespace AutoMLGpt.Core.Pipeline;

/// <summary>
/// The engines this app can run: the configured one (the default) and, when that is a language model, the offline
/// engine as well, so any experiment can be re-run on the other backend and compared.
/// </summary>
public sealed class ExperimentEngines(IExperimentEngine configured, OfflineEngine offline)
{
    public IExperimentEngine Default => configured;

    public IReadOnlyList<IExperimentEngine> All { get; } = configured.IsOffline ? [configured] : [configured, offline];

    /// <summary>The engine with this name, or null when it is not available here (e.g. an LLM that is no longer configured).</summary>
    public IExperimentEngine? Find(string? name) => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));

    /// <summary>Follow-ups, retries and fixes use the engine that made the experiment when it is still available here, else the default.</summary>
    public IExperimentEngine For(string? name) => Find(name) ?? Default;
}
