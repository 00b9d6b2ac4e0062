using AutoMLGpt.Core.Engines.Offline;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Projects;

/// <summary>A saved revision as a runnable project, a notebook, or a static check of its scripts.</summary>
public sealed class ProjectExports(ExperimentStore store, ScriptChecker checker)
{
    /// <summary>Only the offline engine's scripts are the app's own; anything else came from a language model.</summary>
    public static bool IsModelWritten(ExperimentDetails experiment) => experiment.Engine != OfflineEngine.EngineName;

    public static RunnableProject For(ExperimentDetails experiment) =>
        RunnableProject.From(experiment.Cards, experiment.PromptParagraph,
            experiment.Stages.Where(s => s.Status == RunStatus.Succeeded).ToDictionary(s => s.Stage, s => s.Output),
            experiment.Engine, IsModelWritten(experiment));

    public async Task<(ExperimentDetails Experiment, RunnableProject Project)?> ProjectAsync(Guid id, int? revision, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, revision, cancellationToken: cancellationToken) is not { } experiment) return null;
        return (experiment, For(experiment));
    }

    public async Task<(ExperimentDetails Experiment, string Notebook)?> NotebookAsync(Guid id, int? revision, CancellationToken cancellationToken)
    {
        if (await ProjectAsync(id, revision, cancellationToken) is not { } found) return null;
        var (experiment, project) = found;
        return (experiment, RunnableProject.Notebook(experiment.Cards, experiment.PromptParagraph, project));
    }

    /// <summary>Compiles and pyflakes-checks the revision's data.py and train.py (never runs them).</summary>
    public async Task<ScriptCheckResult?> CheckAsync(Guid id, int? revision, CancellationToken cancellationToken)
    {
        if (await ProjectAsync(id, revision, cancellationToken) is not { } found) return null;
        return await checker.CheckAsync(found.Project.Files.Where(f => f.Key.EndsWith(".py", StringComparison.Ordinal)).ToDictionary(), cancellationToken);
    }
}
