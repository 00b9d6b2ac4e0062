using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Knowledge.Catalogue;

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
public sealed class OfflineEngine(OfflineEngineOptions? options = null, KnowledgeBase? knowledge = null) : IExperimentEngine
{
    /// <summary>The experience store whose similar datasets drive tabular recommendations, if any.</summary>
    public KnowledgeBase? Knowledge => knowledge;

    public const string EngineName = "offline engine";
    private readonly OfflineEngineOptions _options = options ?? new();

    public string Name => EngineName;
    public bool IsOffline => true;

    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["engine"] = Name,
        ["deterministic"] = "true",
        ["knowledge_records"] = (knowledge?.RecordCount ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["encoder"] = knowledge?.Encoder.Id ?? "none",
    };

    /// <summary>Chat follow-ups whose intents the advisor applies on top of the card's requests.</summary>
    public string? FollowUp { get; private init; }

    public IExperimentEngine WithFollowUp(string? followUp) => new OfflineEngine(_options, knowledge) { FollowUp = followUp };

    public IPipelineStage Stage(StageKind kind) => new OfflineStage(kind, this);

    /// <summary>
    /// Chat without a language model: the follow-ups the rules understand are applied, and the reply lists exactly which
    /// hyperparameters change and the trade-offs; anything else gets a reply saying what it can do.
    /// </summary>
    public async IAsyncEnumerable<string> ReplyAsync(FollowUpContext context, FollowUpResult result, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var intents = IntentSet.Parse(context.Message);
        string reply;
        if (intents.Intents == Intent.None)
        {
            reply = "The offline engine applies follow-ups by rule and did not recognise one in this message. It understands: " +
                    "faster inference (e.g. \"faster inference for the retriever\", \"at least 30 FPS\"), less memory (\"fit on one 24 GB GPU\"), " +
                    "higher accuracy, shorter training (\"fewer epochs\") and a smaller batch. Configure a language model (Settings) for free-form requests.";
            result.Revise = false;
        }
        else
        {
            var before = HyperparameterAdvisor.Advise(context.Cards, context.EarlierFollowUps, knowledge);
            var after = HyperparameterAdvisor.Advise(context.Cards, $"{context.EarlierFollowUps}\n{context.Message}", knowledge);
            var changes = after.Recipe.Items
                .Select(h => (h.Name, Old: before.Recipe[h.Name]?.Display, New: h.Display))
                .Where(c => c.Old != c.New).ToList();
            var names = Enum.GetValues<Intent>().Where(i => i != Intent.None && intents.Has(i)).Select(Describe);
            var sb = new StringBuilder($"Applying {string.Join(" and ", names)} by rule (offline engine).\n");
            sb.Append(changes.Count == 0
                ? "No hyperparameter changes: the current recipe already reflects this.\n"
                : "Hyperparameter changes: " + string.Join("; ", changes.Select(c => $"{c.Name} {c.Old ?? "(new)"} → {c.New}")) + ".\n");
            foreach (var t in after.TradeOffs.Except(before.TradeOffs)) sb.Append(t).Append('\n');
            sb.Append("Regenerating the architecture, the hyperparameters and the predicted log as a new revision; the previous one is kept.");
            reply = sb.ToString();
            result.Revise = true;
            result.Rerun = [StageKind.ModelArchitecture, StageKind.Hyperparameters, StageKind.TrainingLog];
        }
        foreach (var word in reply.Split(' '))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return word + " ";
            if (_options.StreamDelayMilliseconds > 0) await Task.Delay(_options.StreamDelayMilliseconds / 2 + 1, cancellationToken);
            else await Task.Yield();
        }
    }

    private static string Describe(Intent i) => i switch
    {
        Intent.FasterInference => "faster inference",
        Intent.LessMemory => "less memory",
        Intent.HigherAccuracy => "higher accuracy",
        Intent.ShorterTraining => "shorter training",
        _ => "a smaller batch",
    };

    // The four stages of one run share the same cards object: advise (and search the knowledge base) once per run.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ExperimentCards, Advice> _advice = new();

    internal StageOutput Compose(StageKind kind, ExperimentCards cards)
    {
        var advice = _advice.GetValue(cards, c => HyperparameterAdvisor.Advise(c, FollowUp, knowledge));
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
        if (a.Transfer is { } transfer)
        {
            sb.AppendLine();
            sb.Append("- Similar past datasets: ").Append(transfer.Summary).Append(" (").Append(transfer.Encoder).AppendLine(" encoder, blended with meta-features).");
        }
        foreach (var t in a.TradeOffs)
        {
            sb.AppendLine();
            sb.Append("- ").AppendLine(t);
        }
        for (var i = 0; i < a.Race.Count; i++)
        {
            sb.AppendLine();
            sb.Append("- Race candidate ").Append(i + 1).Append(" of ").Append(a.Race.Count).Append(" (Race the portfolio, on your data): ")
              .Append(a.Race[i].Candidate.Id).Append(" — ").Append(a.Race[i].Reason).AppendLine(".");
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
