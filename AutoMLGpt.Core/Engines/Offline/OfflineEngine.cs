using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Engines.Offline;

/// <summary>Options of the offline engine.</summary>
public sealed class OfflineEngineOptions
{
    /// <summary>Pause between streamed lines, so output fills in visibly; 0 streams as fast as possible (tests, benchmarks).</summary>
    public int StreamDelayMilliseconds { get; set; } = 12;
}

/// <summary>
/// The embedded default engine: deterministic and knowledge-driven (the model catalogue and its rules), needing no LLM.
/// Each stage composes its full output, then streams it line by line.
/// </summary>
public sealed class OfflineEngine(OfflineEngineOptions? options = null) : IExperimentEngine
{
    public const string EngineName = "offline engine";
    private readonly OfflineEngineOptions _options = options ?? new();

    public string Name => EngineName;
    public bool IsOffline => true;

    /// <summary>Chat follow-ups whose intents the advisor applies on top of the card's requests.</summary>
    public string? FollowUp { get; init; }

    public IPipelineStage Stage(StageKind kind) => new OfflineStage(kind, this);

    internal StageOutput Compose(StageKind kind, ExperimentCards cards)
    {
        var advice = HyperparameterAdvisor.Advise(cards, FollowUp);
        return kind switch
        {
            StageKind.DataProcessing => new StageOutput(kind, ScriptWriter.Write(cards, advice)),
            StageKind.ModelArchitecture => new StageOutput(kind, Architecture(cards, advice)),
            StageKind.Hyperparameters => new StageOutput(kind, HyperparameterText(advice), advice.Recipe.ToRows()),
            _ => TrainingLog(cards, advice),
        };
    }

    private static StageOutput TrainingLog(ExperimentCards cards, Advice advice)
    {
        var (curve, log) = LogPredictor.Predict(cards, advice);
        return new StageOutput(StageKind.TrainingLog, log, Curve: curve);
    }

    private static string Architecture(ExperimentCards cards, Advice a)
    {
        var input = a.Input(cards);
        var sb = new StringBuilder();
        var name = cards.Model.Name.Trim();
        sb.AppendLine(string.Equals(name, a.Family.DisplayName, StringComparison.OrdinalIgnoreCase) ? $"### {name}" : $"### {name} ({a.Family.DisplayName} family)");
        sb.AppendLine();
        if (a.FamilyNote is { } note) { sb.AppendLine($"> {note}"); sb.AppendLine(); }
        sb.AppendLine($"**Structure**: {(string.IsNullOrWhiteSpace(cards.Model.Structure) ? a.Family.DefaultStructure : cards.Model.Structure.Trim())}");
        sb.AppendLine();
        sb.AppendLine(a.Family.Describe(input));
        var parameters = a.Family.ParamsMillions(input);
        if (parameters > 0)
        {
            sb.AppendLine();
            sb.AppendLine($"**Size**: about {parameters.ToString(parameters >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture)}M trainable parameters for {input.Classes} output{(input.Classes == 1 ? "" : "s")}.");
        }
        if (a.TradeOffs.FirstOrDefault(t => t.StartsWith("Faster inference", StringComparison.Ordinal)) is { } faster)
        {
            sb.AppendLine();
            sb.AppendLine($"**Change for the requests**: {faster}");
        }
        sb.AppendLine();
        sb.Append($"*Source*: {a.Family.Source}.");
        return sb.ToString();
    }

    private static string HyperparameterText(Advice a)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"Hyperparameters for {a.Family.DisplayName} on {a.Resources.Describe()}:");
        sb.AppendLine();
        sb.AppendLine("| name | value | type | range | rationale |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in a.Recipe.ToRows())
            sb.AppendLine($"| {Cell(r.Name)} | {Cell(r.Value)} | {r.Type} | {Cell(r.Range)} | {Cell(r.Rationale)} |");
        foreach (var t in a.TradeOffs)
        {
            sb.AppendLine();
            sb.Append("- ").AppendLine(t);
        }
        return sb.ToString().TrimEnd();
    }

    private static string Cell(string s) => s.Replace("|", "\\|").Replace('\n', ' ');

    private sealed class OfflineStage(StageKind kind, OfflineEngine engine) : IPipelineStage
    {
        public StageKind Kind => kind;

        public async IAsyncEnumerable<StageUpdate> RunAsync(StageContext context, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var output = engine.Compose(kind, context.Cards);
            var lines = output.Text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return StageUpdate.Delta(kind, i < lines.Length - 1 ? lines[i] + "\n" : lines[i]);
                if (engine._options.StreamDelayMilliseconds > 0) await Task.Delay(engine._options.StreamDelayMilliseconds, cancellationToken);
                else await Task.Yield();
            }
            yield return StageUpdate.Completed(output);
        }
    }
}
