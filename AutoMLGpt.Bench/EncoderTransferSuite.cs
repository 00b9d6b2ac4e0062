using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    /// <summary>
    /// Zero-shot quality per encoder (leave-one-dataset-out, text only and blended), normalised by the knowledge pack's
    /// best-of-search score on the same split and seed (identical to the recommend suite's search).
    /// </summary>
    private static object EncoderTransferSuite(Dictionary<string, string> o)
    {
        var pack = KnowledgeBase.LoadEmbeddedPack();
        var matrix = Core.Knowledge.Portfolio.ResultsMatrix.LoadEmbedded() ?? throw new ArgumentException("No results matrix in this build.");
        var models = Get(o, "models", "../shared/models");
        var full = Path.Combine(models, "use-lite-en", "model.onnx");
        var encoders = new List<(string Name, Func<TextEncoder> Create)> { ("use-lite-static (embedded)", StaticTableEncoder.LoadEmbedded), ("hashing", () => new HashingEncoder()) };
        if (File.Exists(full)) encoders.Insert(0, ("use-lite-en (ONNX)", () => new OnnxSentenceEncoder(full)));
        var folders = DatasetFolders(o);
        var data = folders.Select(KnowledgePackBuilder.Load).ToList();
        var results = new List<object>();
        foreach (var (name, create) in encoders)
        {
            using var encoder = create();
            var text = new List<double>(); var blend = new List<double>();
            foreach (var (file, table) in data)
            {
                var card = file.Card;
                var best = pack.Records.Single(r => r.Dataset == card.Name);
                var exclude = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { card.Name };
                double Normalised(double weight)
                {
                    // The zero-shot choice with this encoder, leave-one-dataset-out.
                    var choice = Knowledge(encoder, pack.Records, weight).WithPortfolio(matrix).Portfolio!.ChooseZeroShot(card, exclude: exclude);
                    var score = KnowledgePackBuilder.Evaluate(table, card, choice.Values, Threads(o), earlyStopping: !choice.Candidate.IsDefaults).Outcome.Test.Get(card.PrimaryMetric)!.Value;
                    return best.HigherIsBetter ? score / best.Score : best.Score / score;
                }
                text.Add(Normalised(1.0));
                blend.Add(Normalised(0.5));
            }
            results.Add(new { Encoder = name, TextOnlyNormalised = text.Average(), BlendNormalised = blend.Average(), Datasets = data.Count });
            Console.WriteLine($"{name,-28} normalised score, text only {F(text.Average(), "0.0000")}, blended with meta-features {F(blend.Average(), "0.0000")} ({data.Count} datasets)");
        }
        return results;
    }
}
