using System.Diagnostics;
using System.Globalization;
using AutoMLGpt.Core.Cards;
using AutoMLGpt.Core.Knowledge;
using AutoMLGpt.Core.Knowledge.Encoders;
using AutoMLGpt.Core.Knowledge.Portfolio;
using AutoMLGpt.Core.Training;

namespace AutoMLGpt.Bench;

public static partial class BenchCommands
{
    /// <summary>Relative difference within which two scores tie.</summary>
    private const double TieTolerance = 0.0025;

    /// <summary>
    /// Everything the recommendation suites share: the matrix, a knowledge base over the pack with it attached, and one
    /// dataset at a time with its seeded splits. A configuration's score on a split is read from the matrix when the
    /// dataset, split seed and exact values are in it (the matrix was made by the same training code), and trained
    /// otherwise; --retrain always trains.
    /// </summary>
    private sealed class Evaluation : IDisposable
    {
        public required ResultsMatrix Matrix { get; init; }
        public required KnowledgeBase Knowledge { get; init; }
        public required TextEncoder Encoder { get; init; }
        public required int Threads { get; init; }
        public required bool Retrain { get; init; }
        public required int[] Seeds { get; init; }
        public required string RaceStrategy { get; init; }
        public PortfolioAdvisor Portfolio => Knowledge.Portfolio!;
        public MetricForecaster Forecaster => Knowledge.Forecaster!;
        public int Trained, LookedUp;

        public static Evaluation Create(Dictionary<string, string> o)
        {
            var matrix = o.TryGetValue("matrix", out var path) ? ResultsMatrix.Load(path) : ResultsMatrix.LoadEmbedded() ?? throw new ArgumentException("No results matrix: run the matrix command first or pass --matrix FILE.");
            var encoder = StaticTableEncoder.LoadEmbedded();
            // Portfolio settings can be varied from the command line (--temperature, --uniform, --loss-aversion, --margin,
            // --rule bound|margin, --z, --max-downside, --size-gate, --downside all|similar) to study them.
            var defaults = new PortfolioOptions();
            double Opt(string key, double fallback) => o.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
            var options = new PortfolioOptions
            {
                Temperature = Opt("temperature", defaults.Temperature), UniformShare = Opt("uniform", defaults.UniformShare),
                LossAversion = Opt("loss-aversion", defaults.LossAversion), Margin = Opt("margin", defaults.Margin),
                FirstRung = (int)Opt("first-rung", defaults.FirstRung), SizeBandwidth = Opt("size-bandwidth", defaults.SizeBandwidth),
                ZeroShotRule = Get(o, "rule", defaults.ZeroShotRule), ConfidenceZ = Opt("z", defaults.ConfidenceZ),
                MaxDownside = Opt("max-downside", defaults.MaxDownside), SizeGateDecades = Opt("size-gate", defaults.SizeGateDecades),
                DownsideOverAll = Get(o, "downside", defaults.DownsideOverAll ? "all" : "similar") == "all",
            };
            var knowledge = Knowledge(encoder, KnowledgeBase.LoadEmbeddedPack().Records, 0.5).WithPortfolio(matrix, options);
            var seeds = Enumerable.Range(0, int.Parse(Get(o, "seeds", "3"), CultureInfo.InvariantCulture)).ToArray();
            return new Evaluation { Matrix = matrix, Knowledge = knowledge, Encoder = encoder, Threads = int.Parse(Get(o, "threads", "1"), CultureInfo.InvariantCulture), Retrain = o.ContainsKey("retrain"), Seeds = seeds,
                RaceStrategy = Get(o, "race", options.RaceStrategy) };
        }

        public void Dispose() => Encoder.Dispose();
    }

    /// <summary>One dataset under evaluation: its card, its splits (binned once each), and a cache of scores.</summary>
    private sealed class DatasetRun(Evaluation eval, string folder) : IDisposable
    {
        public readonly DatasetCardFile File = DatasetCardFile.Load(Path.Combine(folder, "datacard.json"));
        private readonly CsvTable _table = CsvReader.Read(Path.Combine(folder, "data.csv"));
        private readonly Dictionary<int, (TabularData Data, LightGbmSplit Split)> _splits = [];
        private readonly Dictionary<string, (double Valid, double Test, double Seconds)> _cache = [];
        public DataCard Card => File.Card;
        public string Metric => Card.PrimaryMetric;
        public bool HigherIsBetter => TaskDefaults.HigherIsBetter(Metric);
        public MatrixDataset? InMatrix => eval.Retrain ? null : eval.Matrix.Dataset(Card.Name);
        /// <summary>Leave-one-dataset-out: when the dataset is in the matrix, nothing derived from it may be used.</summary>
        public IReadOnlySet<string>? Exclude => eval.Matrix.Dataset(Card.Name) is null ? null : new HashSet<string>(StringComparer.OrdinalIgnoreCase) { Card.Name };

        public TabularData Data(int seed) => Split(seed).Data;

        public (TabularData Data, LightGbmSplit Split) Split(int seed)
        {
            if (_splits.TryGetValue(seed, out var s)) return s;
            var data = TabularData.Build(_table, Card, seed: seed);
            return _splits[seed] = (data, LightGbmSplit.Create(data));
        }

        /// <summary>Validation score, test score and training seconds of a candidate with these values on one split.</summary>
        public (double Valid, double Test, double Seconds) Score(PortfolioCandidate candidate, IReadOnlyDictionary<string, string> values, int seed)
        {
            var key = $"{seed}|{string.Join(';', values.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))}";
            if (_cache.TryGetValue(key, out var hit)) return hit;
            var c = eval.Matrix.IndexOf(candidate.Id);
            var s = Array.IndexOf(eval.Matrix.Seeds, seed);
            // The matrix holds the candidate as listed (no size bounds): read it only for exactly those values.
            var evaluated = candidate.EvaluatedValues();
            if (InMatrix is { } d && c >= 0 && s >= 0 && evaluated.Count == values.Count && evaluated.All(kv => values.TryGetValue(kv.Key, out var v) && v == kv.Value))
            {
                eval.LookedUp++;
                return _cache[key] = (d.Valid[c][s], d.Test[c][s], d.Seconds[c][s]);
            }
            var (data, split) = Split(seed);
            var watch = Stopwatch.StartNew();
            var outcome = LightGbmTrainer.Train(split, candidate.Parameters(Card.Task, data.Classes.Length, eval.Threads, overrides: values), Card.Task, Metric, null, trainMetricEvery: 0, saveModel: false, cancellationToken: CancellationToken.None);
            eval.Trained++;
            return _cache[key] = (outcome.BestValidMetric, outcome.Test.Get(Metric)!.Value, watch.Elapsed.TotalSeconds);
        }

        public long TrainRows => Data(0).Split.Train.Length;

        public void Dispose()
        {
            foreach (var (_, split) in _splits.Values) split.Dispose();
        }
    }

    private sealed record VariantScores(double[] Test, double Seconds, string Config);

    private sealed record RecommendRow(string Dataset, string Metric, bool HigherIsBetter, int Seeds, double Defaults, double RandomMean, double SearchBest,
        double Blend, double TextOnly, double MetaOnly, double FewShot, string ZeroShotChoice, string FewShotWinners, double RecommendMs,
        double SearchSeconds, double FewShotSeconds, double RecommendTrainSeconds, bool FromMatrix)
    {
        /// <summary>What the race ends with: its ensemble when kept, else its winner (the app's behaviour).</summary>
        public double Ensemble { get; init; } = double.NaN;
        /// <summary>The race's ensemble whether or not the keep rule took it (a study of the rule).</summary>
        public double EnsembleAlways { get; init; } = double.NaN;
        /// <summary>Share of the seeded splits on which the ensemble was kept.</summary>
        public double EnsembleKept { get; init; } = double.NaN;
        public string EnsembleWeights { get; init; } = "";
        public double Normalised(double v) => HigherIsBetter ? v / SearchBest : SearchBest / v;
        public int Compare(double a, double b) => Math.Abs(a - b) <= TieTolerance * Math.Abs(b) ? 0 : (HigherIsBetter ? a > b : a < b) ? 1 : -1;
        public bool Beats(double a, double b) => Compare(a, b) > 0;
        /// <summary>How far below the defaults, relative (0 when not below).</summary>
        public double ShortfallVsDefaults(double v) => Math.Max(0, HigherIsBetter ? (Defaults - v) / Defaults : (v - Defaults) / Defaults);
    }

    /// <summary>
    /// Zero-shot (the app's recommendation), its text-only and meta-only variants, the few-shot race of k candidates,
    /// LightGBM's defaults, the mean random configuration and the best of a random search, over several seeded splits.
    /// Leave-one-dataset-out for datasets in the matrix; plain for any other folder.
    /// </summary>
    private static Task<object> RecommendAsync(Dictionary<string, string> o)
    {
        var trials = int.Parse(Get(o, "trials", "20"), CultureInfo.InvariantCulture);
        var k = int.Parse(Get(o, "k", "8"), CultureInfo.InvariantCulture);
        using var eval = Evaluation.Create(o);
        var rows = new List<RecommendRow>();
        var watch = Stopwatch.StartNew();
        var random = CandidateSpace.Random(trials);
        foreach (var folder in DatasetFolders(o))
        {
            using var run = new DatasetRun(eval, folder);
            var card = run.Card;
            var exclude = run.Exclude;
            double Mean(IEnumerable<double> v) => v.Average();
            VariantScores Config(PortfolioCandidate candidate, IReadOnlyDictionary<string, string> values)
            {
                var scores = eval.Seeds.Select(s => run.Score(candidate, values, s)).ToList();
                return new VariantScores(scores.Select(x => x.Test).ToArray(), scores.Sum(x => x.Seconds), candidate.Id);
            }
            var sw = Stopwatch.StartNew();
            var blendChoice = eval.Portfolio.ChooseZeroShot(card, exclude: exclude);
            var recommendMs = sw.Elapsed.TotalMilliseconds;
            var blend = Config(blendChoice.Candidate, blendChoice.Values);
            var textChoice = eval.Portfolio.ChooseZeroShot(card, exclude: exclude, textWeight: 1.0);
            var metaChoice = eval.Portfolio.ChooseZeroShot(card, exclude: exclude, textWeight: 0.0);
            var text = Config(textChoice.Candidate, textChoice.Values);
            var meta = Config(metaChoice.Candidate, metaChoice.Values);
            var defaults = Config(CandidateSpace.Defaults, CandidateSpace.Defaults.EvaluatedValues());

            // Few-shot: race the portfolio on each split and keep the best on validation, exactly as the app's Race does
            // (successive halving needs partial curves, so it always trains; --race full reads full runs from the matrix).
            var plan = eval.Portfolio.PlanRace(card, blendChoice, k, trainRows: run.TrainRows, exclude: exclude);
            var fewShot = new List<double>(); double fewSeconds = 0; var winners = new List<string>();
            var ensembleScores = new List<double>(); var ensembleAlways = new List<double>(); var kept = 0; var ensembleWeights = new List<string>();
            foreach (var s in k < 2 ? [] : eval.Seeds) // --k 0 skips the few-shot race (a quick study of the zero-shot settings)
            {
                if (eval.RaceStrategy == PortfolioRace.Full)
                {
                    var results = plan.Select(e => run.Score(e.Candidate, e.Values, s)).ToList();
                    var best = BestOnValidation(results, run.HigherIsBetter);
                    fewShot.Add(results[best].Test); fewSeconds += results.Sum(r => r.Seconds); winners.Add(plan[best].Candidate.Id);
                }
                else
                {
                    var (_, split) = run.Split(s);
                    var race = PortfolioRace.Run(split, plan, card.Task, card.PrimaryMetric, eval.Threads, null, null, CancellationToken.None, PortfolioRace.Halving, eval.Portfolio.Options.FirstRung);
                    eval.Trained += plan.Count;
                    fewShot.Add(race.WinnerOutcome.Test.Get(card.PrimaryMetric)!.Value); fewSeconds += race.Elapsed.TotalSeconds; winners.Add(plan[race.Winner].Candidate.Id);
                    ensembleScores.Add(race.KeptOutcome.Test.Get(card.PrimaryMetric)!.Value);
                    ensembleAlways.Add((race.Ensemble?.Test ?? race.WinnerOutcome.Test).Get(card.PrimaryMetric)!.Value);
                    if (race.Ensemble is { Kept: true } e) { kept++; ensembleWeights.Add(string.Join("+", e.Weights.Select(w => $"{w.Candidate}:{w.Weight:0.00}"))); }
                }
            }

            // Random search: the same seeded samples as the matrix's random candidates; the best on validation.
            var search = new List<double>(); var randomScores = new List<double>(); double searchSeconds = 0;
            foreach (var s in eval.Seeds)
            {
                var results = random.Select(c => run.Score(c, c.EvaluatedValues(), s)).ToList();
                search.Add(results[BestOnValidation(results, run.HigherIsBetter)].Test); randomScores.AddRange(results.Select(r => r.Test)); searchSeconds += results.Sum(r => r.Seconds);
            }
            var row = new RecommendRow(card.Name, run.Metric, run.HigherIsBetter, eval.Seeds.Length, Mean(defaults.Test), Mean(randomScores), Mean(search),
                Mean(blend.Test), Mean(text.Test), Mean(meta.Test), fewShot.Count > 0 ? Mean(fewShot) : double.NaN, blend.Config, string.Join(",", winners), recommendMs,
                searchSeconds / eval.Seeds.Length, fewSeconds / eval.Seeds.Length, blend.Seconds / eval.Seeds.Length, run.InMatrix is not null)
            {
                Ensemble = ensembleScores.Count > 0 ? Mean(ensembleScores) : double.NaN,
                EnsembleAlways = ensembleAlways.Count > 0 ? Mean(ensembleAlways) : double.NaN,
                EnsembleKept = ensembleScores.Count > 0 ? kept / (double)ensembleScores.Count : double.NaN,
                EnsembleWeights = string.Join(" | ", ensembleWeights),
            };
            rows.Add(row);
            Console.WriteLine($"{card.Name,-26} {run.Metric,-9} defaults {F(row.Defaults)}  random-mean {F(row.RandomMean)}  search-best {F(row.SearchBest)}  " +
                              $"zero-shot {F(row.Blend)} [{blendChoice.Candidate.Id}] (text {F(row.TextOnly)}, meta {F(row.MetaOnly)})  few-shot {F(row.FewShot)}  ensemble {F(row.Ensemble)} (kept {F(row.EnsembleKept, "0%")})  " +
                              $"norm {F(row.Normalised(row.Blend), "0.000")}/{F(row.Normalised(row.FewShot), "0.000")}/{F(row.Normalised(row.Ensemble), "0.000")}  vs defaults {Verdict(row.Compare(row.Blend, row.Defaults))}/{Verdict(row.Compare(row.FewShot, row.Defaults))}  " +
                              $"few-shot {F(row.FewShotSeconds, "0.0")} s vs search {F(row.SearchSeconds, "0.0")} s");
        }
        object Summary(Func<RecommendRow, double> pick) => new
        {
            MeanNormalised = rows.Average(r => r.Normalised(pick(r))),
            WinRateVsDefaults = rows.Count(r => r.Beats(pick(r), r.Defaults)) / (double)rows.Count,
            WinRateVsRandomMean = rows.Count(r => r.Beats(pick(r), r.RandomMean)) / (double)rows.Count,
            NotWorseThanDefaults = rows.Count(r => r.Compare(pick(r), r.Defaults) >= 0) / (double)rows.Count,
            Wins = rows.Count(r => r.Compare(pick(r), r.Defaults) > 0),
            Ties = rows.Count(r => r.Compare(pick(r), r.Defaults) == 0),
            Losses = rows.Count(r => r.Compare(pick(r), r.Defaults) < 0),
            MaxShortfallVsDefaults = rows.Max(r => r.ShortfallVsDefaults(pick(r))),
        };
        var summary = new
        {
            Datasets = rows.Count,
            Trials = trials,
            Seeds = eval.Seeds.Length,
            TieTolerance,
            Blend = Summary(r => r.Blend),
            TextOnly = Summary(r => r.TextOnly),
            MetaOnly = Summary(r => r.MetaOnly),
            FewShot = new
            {
                K = k,
                MeanNormalised = rows.Average(r => r.Normalised(r.FewShot)),
                NotWorseThanDefaults = rows.Count(r => r.Compare(r.FewShot, r.Defaults) >= 0) / (double)rows.Count,
                TimeVsSearch = rows.Sum(r => r.FewShotSeconds) / rows.Sum(r => r.SearchSeconds),
                Wins = rows.Count(r => r.Compare(r.FewShot, r.Defaults) > 0),
                Ties = rows.Count(r => r.Compare(r.FewShot, r.Defaults) == 0),
                Losses = rows.Count(r => r.Compare(r.FewShot, r.Defaults) < 0),
                MaxShortfallVsDefaults = rows.Max(r => r.ShortfallVsDefaults(r.FewShot)),
            },
            // The race's end (ensemble when kept, else its winner); the race's time includes the selection.
            Ensemble = new
            {
                MeanNormalised = rows.Average(r => r.Normalised(r.Ensemble)),
                NotWorseThanDefaults = rows.Count(r => r.Compare(r.Ensemble, r.Defaults) >= 0) / (double)rows.Count,
                TimeVsSearch = rows.Sum(r => r.FewShotSeconds) / rows.Sum(r => r.SearchSeconds),
                MaxShortfallVsDefaults = rows.Max(r => r.ShortfallVsDefaults(r.Ensemble)),
                Wins = rows.Count(r => r.Compare(r.Ensemble, r.Defaults) > 0),
                Ties = rows.Count(r => r.Compare(r.Ensemble, r.Defaults) == 0),
                Losses = rows.Count(r => r.Compare(r.Ensemble, r.Defaults) < 0),
                KeptShare = rows.Average(r => r.EnsembleKept),
                AlwaysMeanNormalised = rows.Average(r => r.Normalised(r.EnsembleAlways)),
                WinsVsFewShot = rows.Count(r => r.Compare(r.Ensemble, r.FewShot) > 0),
                LossesVsFewShot = rows.Count(r => r.Compare(r.Ensemble, r.FewShot) < 0),
            },
            DefaultsNormalised = rows.Average(r => r.Normalised(r.Defaults)),
            RandomMeanNormalised = rows.Average(r => r.Normalised(r.RandomMean)),
            MeanRecommendMs = rows.Average(r => r.RecommendMs),
            MeanRecommendTrainSeconds = rows.Average(r => r.RecommendTrainSeconds),
            MeanFewShotSeconds = rows.Average(r => r.FewShotSeconds),
            MeanSearchSeconds = rows.Average(r => r.SearchSeconds),
            ScoresFromMatrix = eval.LookedUp,
            ScoresTrained = eval.Trained,
            Minutes = watch.Elapsed.TotalMinutes,
        };
        Console.WriteLine();
        Console.WriteLine($"normalised score (÷ best of {trials}-trial search on validation, inverted for RMSE; mean over {eval.Seeds.Length} seeded splits): " +
                          $"zero-shot {F(rows.Average(r => r.Normalised(r.Blend)), "0.000")} (text only {F(rows.Average(r => r.Normalised(r.TextOnly)), "0.000")}, meta only {F(rows.Average(r => r.Normalised(r.MetaOnly)), "0.000")}), " +
                          $"few-shot k={k} {F(rows.Average(r => r.Normalised(r.FewShot)), "0.000")}, defaults {F(summary.DefaultsNormalised, "0.000")}, random mean {F(summary.RandomMeanNormalised, "0.000")}");
        Console.WriteLine($"ensemble (race + greedy selection, kept on {summary.Ensemble.KeptShare:P0} of splits) {F(summary.Ensemble.MeanNormalised, "0.000")}, always taken {F(summary.Ensemble.AlwaysMeanNormalised, "0.000")}; vs few-shot {summary.Ensemble.WinsVsFewShot} wins, {summary.Ensemble.LossesVsFewShot} losses");
        Console.WriteLine($"vs defaults (tie within {TieTolerance:P2} relative): zero-shot {Tally(rows, r => r.Blend)}; few-shot {Tally(rows, r => r.FewShot)}; ensemble {Tally(rows, r => r.Ensemble)}");
        Console.WriteLine($"worst shortfall vs defaults: zero-shot {rows.Max(r => r.ShortfallVsDefaults(r.Blend)):P2}, few-shot {rows.Max(r => r.ShortfallVsDefaults(r.FewShot)):P2}, ensemble {rows.Max(r => r.ShortfallVsDefaults(r.Ensemble)):P2}");
        Console.WriteLine($"time per split: few-shot {F(summary.MeanFewShotSeconds, "0.00")} s vs search {F(summary.MeanSearchSeconds, "0.00")} s ({summary.FewShot.TimeVsSearch:P0}); zero-shot choice {F(summary.MeanRecommendMs, "0.0")} ms");
        Console.WriteLine($"scores read from the matrix {eval.LookedUp}, trained {eval.Trained}; total {F(summary.Minutes, "0.0")} min");
        return Task.FromResult<object>(new { Rows = rows, Summary = summary });
    }

    /// <summary>Which of several trained configurations a search or race keeps: the best on validation (the first of ties).</summary>
    private static int BestOnValidation(IReadOnlyList<(double Valid, double Test, double Seconds)> results, bool higherIsBetter)
    {
        var best = 0;
        for (var i = 1; i < results.Count; i++)
            if (higherIsBetter ? results[i].Valid > results[best].Valid : results[i].Valid < results[best].Valid) best = i;
        return best;
    }

    private static string Verdict(int c) => c > 0 ? "win" : c == 0 ? "tie" : "loss";

    private static string Tally(List<RecommendRow> rows, Func<RecommendRow, double> pick) =>
        $"{rows.Count(r => r.Compare(pick(r), r.Defaults) > 0)} wins, {rows.Count(r => r.Compare(pick(r), r.Defaults) == 0)} ties, {rows.Count(r => r.Compare(pick(r), r.Defaults) < 0)} losses of {rows.Count} " +
        $"(not worse {rows.Count(r => r.Compare(pick(r), r.Defaults) >= 0) / (double)rows.Count:P0})";

    private sealed record ForecastRow(string Dataset, string Metric, int Seed, string Basis, double Predicted, double Low, double High, double Real, bool Inside);

    /// <summary>
    /// Stage D's predicted final metric for the zero-shot configuration against its real test score on each split, card
    /// only and with a learning-curve probe; calibration leaves the evaluated dataset's own residuals out.
    /// </summary>
    private static Task<object> PredictLogAsync(Dictionary<string, string> o)
    {
        using var eval = Evaluation.Create(o);
        var card = new List<ForecastRow>();
        var probe = new List<ForecastRow>();
        var watch = Stopwatch.StartNew();
        foreach (var folder in DatasetFolders(o))
        {
            using var run = new DatasetRun(eval, folder);
            var exclude = run.Exclude;
            var name = run.Card.Name;
            var choice = eval.Portfolio.ChooseZeroShot(run.Card, exclude: exclude);
            var labelStd = run.Card.Task == Core.Cards.MlTask.Regression ? Std(run.Data(0).Labels) : (double?)null;
            var fromCard = eval.Forecaster.FromCard(run.Card, choice, labelStd, excludeFromCalibration: exclude is null ? null : name);
            foreach (var seed in eval.Seeds)
            {
                var real = run.Score(choice.Candidate, choice.Values, seed).Test;
                if (fromCard is not null)
                    card.Add(new ForecastRow(name, run.Metric, seed, "card", fromCard.Value, fromCard.Low, fromCard.High, real, fromCard.Contains(real)));
                var data = run.Data(seed);
                var curve = LearningCurveProbe.Run(data, choice.Parameters(data.Task, data.Classes.Length, eval.Threads), run.Metric, CancellationToken.None);
                var minority = data.Task == Core.Cards.MlTask.BinaryClassification ? Math.Min(data.Labels.Count(l => l == 1), data.Labels.Count(l => l != 1)) / (double)data.Labels.Length : (double?)null;
                if (eval.Forecaster.FromProbe(run.Metric, curve, data.Split.Test.Length, minority, exclude is null ? null : name) is { } p)
                    probe.Add(new ForecastRow(name, run.Metric, seed, "probe", p.Value, p.Low, p.High, real, p.Contains(real)));
            }
            var lastCard = card.LastOrDefault(r => r.Dataset == name);
            var lastProbe = probe.LastOrDefault(r => r.Dataset == name);
            Console.WriteLine($"{name,-26} {run.Metric,-9} card {(lastCard is null ? "n/a" : $"{F(lastCard.Predicted)} [{F(lastCard.Low)}, {F(lastCard.High)}]"),-28} " +
                              $"probe (seed {eval.Seeds[^1]}) {(lastProbe is null ? "n/a" : $"{F(lastProbe.Predicted)} [{F(lastProbe.Low)}, {F(lastProbe.High)}]"),-28} real {F(lastCard?.Real ?? lastProbe?.Real ?? double.NaN)}; " +
                              $"inside: card {card.Count(r => r.Dataset == name && r.Inside)}/{card.Count(r => r.Dataset == name)}, probe {probe.Count(r => r.Dataset == name && r.Inside)}/{probe.Count(r => r.Dataset == name)}");
        }
        object Block(List<ForecastRow> rows)
        {
            var scaleFree = rows.Where(r => MetricForecaster.KindOf(r.Metric) != ForecastKind.Rmse).ToList();
            var rmse = rows.Where(r => MetricForecaster.KindOf(r.Metric) == ForecastKind.Rmse).ToList();
            return new
            {
                MeanAbsoluteError = scaleFree.Count > 0 ? scaleFree.Average(r => Math.Abs(r.Predicted - r.Real)) : double.NaN,
                InsideBand = scaleFree.Count(r => r.Inside),
                Compared = scaleFree.Count,
                Coverage = scaleFree.Count > 0 ? scaleFree.Count(r => r.Inside) / (double)scaleFree.Count : double.NaN,
                MeanBandWidth = scaleFree.Count > 0 ? scaleFree.Average(r => r.High - r.Low) : double.NaN,
                Rmse = new
                {
                    MeanRelativeError = rmse.Count > 0 ? rmse.Average(r => Math.Abs(r.Predicted - r.Real) / r.Real) : double.NaN,
                    InsideBand = rmse.Count(r => r.Inside),
                    Compared = rmse.Count,
                    MeanRelativeBandWidth = rmse.Count > 0 ? rmse.Average(r => (r.High - r.Low) / r.Predicted) : double.NaN,
                },
            };
        }
        dynamic cardBlock = Block(card);
        dynamic probeBlock = Block(probe);
        Console.WriteLine();
        foreach (var (label, rows) in new[] { ("card only", card), ("probe", probe) })
        {
            var sf = rows.Where(r => MetricForecaster.KindOf(r.Metric) != ForecastKind.Rmse).ToList();
            var rm = rows.Where(r => MetricForecaster.KindOf(r.Metric) == ForecastKind.Rmse).ToList();
            Console.WriteLine($"{label}: accuracy/AUC on {sf.Count} dataset × split pairs: MAE {F(sf.Count > 0 ? sf.Average(r => Math.Abs(r.Predicted - r.Real)) : double.NaN)}, inside the band {sf.Count(r => r.Inside)}/{sf.Count}, mean width {F(sf.Count > 0 ? sf.Average(r => r.High - r.Low) : double.NaN)}; " +
                              $"RMSE on {rm.Count}: mean relative error {(rm.Count > 0 ? rm.Average(r => Math.Abs(r.Predicted - r.Real) / r.Real) : double.NaN):P1}, inside {rm.Count(r => r.Inside)}/{rm.Count}");
        }
        Console.WriteLine($"total {F(watch.Elapsed.TotalMinutes, "0.0")} min");
        return Task.FromResult<object>(new
        {
            Card = card, ProbeRows = probe,
            cardBlock.MeanAbsoluteError, cardBlock.InsideBand, cardBlock.Compared, cardBlock.Coverage, cardBlock.MeanBandWidth, cardBlock.Rmse,
            Probe = probeBlock,
            Seeds = eval.Seeds.Length,
            Minutes = watch.Elapsed.TotalMinutes,
        });
    }

    private static double Std(float[] v)
    {
        var mean = v.Average(x => (double)x);
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }

    /// <summary>UCI Adult on its standard split: the defaults, the zero-shot choice (matrix without Adult) and the few-shot race.</summary>
    private static object TrainSuite(Dictionary<string, string> o)
    {
        var folder = Path.Combine(Get(o, "datasets", "../shared/datasets"), "adult");
        var (file, data) = KnowledgePackBuilder.Load(folder);
        using var eval = Evaluation.Create(o);
        var exclude = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "adult" };
        var card = file.Card;
        var threads = Threads(o);
        using var split = LightGbmSplit.Create(data);
        (TrainingOutcome Outcome, double Seconds) Train(PortfolioCandidate c, IReadOnlyDictionary<string, string> values)
        {
            var sw = Stopwatch.StartNew();
            var outcome = LightGbmTrainer.Train(split, c.Parameters(card.Task, data.Classes.Length, threads, overrides: values), card.Task, card.PrimaryMetric, null, trainMetricEvery: 0, saveModel: false, cancellationToken: CancellationToken.None);
            return (outcome, sw.Elapsed.TotalSeconds);
        }
        var choice = eval.Portfolio.ChooseZeroShot(card, exclude: exclude, trainRows: data.Split.Train.Length);
        var defaults = Train(CandidateSpace.Defaults, CandidateSpace.Defaults.EvaluatedValues());
        var zero = Train(choice.Candidate, choice.Values);
        var plan = eval.Portfolio.PlanRace(card, choice, int.Parse(Get(o, "k", "8"), CultureInfo.InvariantCulture), trainRows: data.Split.Train.Length, exclude: exclude);
        var raced = PortfolioRace.Run(split, plan, card.Task, card.PrimaryMetric, threads, null, Console.WriteLine, CancellationToken.None, eval.RaceStrategy, eval.Portfolio.Options.FirstRung);
        var winner = (Id: plan[raced.Winner].Candidate.Id, Result: (Outcome: raced.WinnerOutcome, Seconds: raced.Elapsed.TotalSeconds));
        object Report(string label, string id, (TrainingOutcome Outcome, double Seconds) r)
        {
            Console.WriteLine($"adult standard split, {label,-10} [{id}]: accuracy {F(r.Outcome.Test.Accuracy!.Value)}, log loss {F(r.Outcome.Test.LogLoss!.Value)}, AUC {F(r.Outcome.Test.Auc!.Value)}, best iteration {r.Outcome.BestIteration}, {F(r.Seconds, "0.00")} s");
            return new { Variant = label, Candidate = id, r.Outcome.Test.Accuracy, r.Outcome.Test.LogLoss, r.Outcome.Test.Auc, r.Outcome.BestIteration, r.Seconds };
        }
        var results = new List<object>
        {
            Report("defaults", "defaults", defaults),
            Report("zero-shot", choice.Candidate.Id, zero),
            Report("few-shot", winner.Id, winner.Result) ,
        };
        Console.WriteLine($"few-shot raced {raced.Candidates.Count} candidates in {F(raced.Candidates.Sum(c => c.Seconds), "0.0")} s: " + string.Join(", ", raced.Candidates.Select(c => $"{c.Entry.Candidate.Id} {F(c.Valid)}")));
        var z = zero.Outcome.Test; var w = winner.Result.Outcome.Test;
        return new
        {
            // Stable fields: the zero-shot recommendation, as before.
            z.Accuracy, z.LogLoss, z.Auc, zero.Outcome.BestIteration, Seconds = zero.Seconds, Config = choice.Values,
            ZeroShotCandidate = choice.Candidate.Id,
            FewShot = new { Candidate = winner.Id, w.Accuracy, w.LogLoss, w.Auc, Seconds = raced.Candidates.Sum(c => c.Seconds) },
            Defaults = new { defaults.Outcome.Test.Accuracy, defaults.Outcome.Test.LogLoss },
            Variants = results,
        };
    }
}
