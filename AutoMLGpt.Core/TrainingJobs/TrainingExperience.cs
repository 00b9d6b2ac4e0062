using System.Collections.Concurrent;
using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Core.TrainingJobs;

/// <summary>
/// Finished training runs as experience records for the knowledge base: a run of this process as it ends, and runs that
/// finished anywhere else (a child worker, another worker or node) as they are found in the database.
/// </summary>
public sealed class TrainingExperience(TrainingJobStore jobs, ExperimentStore experiments, IExperienceSink? sink = null, Access.TeamSignInOptions? signIn = null)
{
    private static readonly string[] TransferredKeys = ["learning_rate", "num_leaves", "min_data_in_leaf", "feature_fraction", "bagging_fraction", "lambda_l2", "extra_trees"];

    private readonly ConcurrentDictionary<Guid, bool> _learned = new();
    private DateTime _learnedUntil = DateTime.MinValue;

    /// <summary>
    /// The name a run enters the shared experience store under. With sign-in on, other accounts see neighbours (and
    /// stage C's "60% like …") without learning another account's dataset name: the numbers transfer, the name does not.
    /// </summary>
    private string ExperienceName(DataCard card, Guid experimentId) =>
        signIn?.Enabled == true ? $"team run {experimentId.ToString("N")[..8]} ({TaskDefaults.Display(card.Task)})" : card.Name;

    /// <summary>A run this process just finished joins the knowledge base at once (a race adds a partial matrix row).</summary>
    internal void LearnFinished(Guid jobId, Guid experimentId, DataCard card, TrainingParameters parameters, TrainingOutcome outcome, CsvTable table, IReadOnlyList<RaceResult> race)
    {
        if (sink is null || ParametersScore(race, outcome.Test, card) is not { } score || !_learned.TryAdd(jobId, true)) return;
        var profile = DataProfiler.Profile(table, card.LabelColumn);
        var counts = profile.ClassCounts.Select(c => c.Count).ToList();
        var meta = MetaFeatures.FromCard(card, counts.Count >= 2 ? counts.Min() / (double)counts.Max() : null, profile.MissingShare);
        sink.Add(Experience(card, ExperienceName(card, experimentId), meta, parameters, outcome.BestIteration, score, race));
    }

    /// <summary>
    /// Adds the experience of runs that finished since the last call, wherever they ran, so stage C here learns from them
    /// without a restart. At start it reads them all.
    /// </summary>
    public async Task<int> LearnFinishedRunsAsync(CancellationToken ct)
    {
        if (sink is null) return 0;
        // A minute back: a run saved late by a node whose clock is behind is still found (the set skips repeats).
        var since = _learnedUntil == DateTime.MinValue ? DateTime.MinValue : _learnedUntil - TimeSpan.FromMinutes(1);
        var added = 0;
        foreach (var (jobId, completed, record) in await ExperiencesSinceAsync(since, ct))
        {
            if (completed > _learnedUntil) _learnedUntil = completed;
            if (!_learned.TryAdd(jobId, true)) continue; // this process ran it and added it already
            sink.Add(record);
            added++;
        }
        return added;
    }

    /// <summary>Finished runs saved in the database, as experiences.</summary>
    public async Task<IReadOnlyList<ExperienceRecord>> ExperiencesAsync(CancellationToken ct) =>
        (await ExperiencesSinceAsync(DateTime.MinValue, ct)).Select(e => e.Record).ToList();

    private async Task<List<(Guid JobId, DateTime Completed, ExperienceRecord Record)>> ExperiencesSinceAsync(DateTime since, CancellationToken ct)
    {
        var records = new List<(Guid, DateTime, ExperienceRecord)>();
        foreach (var job in await jobs.SucceededAsync(since, ct: ct))
        {
            if (job.ResultJson is null || await experiments.GetAsync(job.ExperimentId, job.Revision, cancellationToken: ct) is not { } experiment) continue;
            var result = TrainingJobStore.ToView(job).Result!;
            var parameters = System.Text.Json.JsonSerializer.Deserialize<TrainingParameters>(job.ParametersJson, ExperimentStore.Json);
            var card = experiment.Cards.Data;
            if (parameters is null || ParametersScore(result.Race, result.Test, card) is not { } score) continue;
            records.Add((job.Id, job.CompletedUtc ?? since, Experience(card, ExperienceName(card, job.ExperimentId), MetaFeatures.FromCard(card), parameters, result.BestIteration, score, result.Race)));
        }
        return records;
    }

    // The score of the run's parameters: in a race, the winner's own, not that of the ensemble it may have been part of.
    private static double? ParametersScore(IReadOnlyList<RaceResult> race, TestMetrics test, DataCard card) =>
        (race.FirstOrDefault(r => r.Winner)?.Test ?? test.Get(card.PrimaryMetric)) is { } score && !double.IsNaN(score) ? score : null;

    // A finished run as an experience: its card and statistics, the LightGBM values that transfer, and its test score.
    private static ExperienceRecord Experience(DataCard card, string name, MetaFeatures meta, TrainingParameters parameters, int bestIteration, double score, IReadOnlyList<RaceResult>? race)
    {
        var hyper = TransferredKeys.Where(parameters.LightGbm.ContainsKey).ToDictionary(k => k, k => parameters.LightGbm[k]);
        hyper["num_iterations"] = bestIteration.ToString(CultureInfo.InvariantCulture);
        return new ExperienceRecord
        {
            Dataset = name, Source = "training", Card = card, Meta = meta, Family = KnowledgePackBuilder.Family, Hyperparameters = hyper,
            Metric = card.PrimaryMetric, HigherIsBetter = TaskDefaults.HigherIsBetter(card.PrimaryMetric), Score = score, BestIteration = bestIteration,
            // Only candidates that trained to their end: a score cut short by halving would understate them.
            CandidateScores = race is { Count: > 0 } ? race.Where(r => double.IsFinite(r.Test) && r.DroppedAtIteration is null).ToDictionary(r => r.Candidate, r => r.Test) : null,
        };
    }
}
