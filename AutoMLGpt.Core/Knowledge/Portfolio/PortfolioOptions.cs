namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>How zero-shot choosing, the few-shot race and the predicted metric behave, section <c>Portfolio</c>.</summary>
public sealed class PortfolioOptions
{
    public const string Section = "Portfolio";
    public const string BoundRule = "bound", MarginRule = "margin", VetoRule = "veto";

    /// <summary>
    /// "bound" (default): a candidate replaces the defaults only when the lower confidence bound of its weighted gain
    /// over them is positive and its weighted 10th-percentile gain is above −<see cref="MaxDownside"/>. "margin": the
    /// earlier rule, the best predicted score when it beats the defaults' by <see cref="Margin"/>.
    /// </summary>
    public string ZeroShotRule { get; set; } = BoundRule;

    /// <summary>Standard errors below the weighted mean gain for the bound (1.28: a one-sided 90% bound).</summary>
    public double ConfidenceZ { get; set; } = 1.28;

    /// <summary>How much a candidate's bad cases (weighted 10th percentile) may lose against the defaults, in normalised score.</summary>
    public double MaxDownside { get; set; } = 0.005;

    /// <summary>The 10th-percentile gain is taken over every past dataset alike (true) or weighted by similarity (false).</summary>
    public bool DownsideOverAll { get; set; } = true;

    /// <summary>A candidate found on one dataset is not offered on data more than this many decades of rows away (0: no gate).</summary>
    public double SizeGateDecades { get; set; } = 1.5;

    /// <summary>Softmax temperature turning similarity to the matrix's datasets into weights; higher spreads them.</summary>
    public double Temperature { get; set; } = 0.1;

    /// <summary>Share of the weight spread evenly over every dataset of the matrix (shrinkage: a lone close neighbour is weak evidence).</summary>
    public double UniformShare { get; set; } = 0.25;

    /// <summary>
    /// Width, in decades of rows, of the size kernel every weight is multiplied by: what works on 50,000 rows is weak
    /// evidence for 200 (FLAML's zero-shot matches on instances, features and classes for the same reason). 0 turns it off.
    /// </summary>
    public double SizeBandwidth { get; set; } = 1.0;

    /// <summary>A candidate replaces the defaults only when predicted to beat them by this much normalised score (FLAML keeps the default unless another is predicted better); with the bound rule, the bound must exceed it.</summary>
    public double Margin { get; set; } = 0.002;

    /// <summary>Weight of the predicted shortfall against the defaults, subtracted from a candidate's predicted score.</summary>
    public double LossAversion { get; set; } = 1.0;

    /// <summary>Candidates raced by "Race the portfolio" (4 to 8), always including the defaults and the zero-shot choice.</summary>
    public int RaceSize { get; set; } = 8;

    /// <summary>"halving" (successive halving: the better half goes on with twice the rounds) or "full" (every candidate to its end).</summary>
    public string RaceStrategy { get; set; } = PortfolioRace.Halving;

    /// <summary>Boosting rounds of the first halving rung.</summary>
    public int FirstRung { get; set; } = 100;

    /// <summary>Coverage the predicted metric's band aims at.</summary>
    public double Coverage { get; set; } = 0.8;

    public IEnumerable<string> Problems()
    {
        if (Temperature is <= 0 or > 10) yield return "Portfolio:Temperature must be above 0 and at most 10.";
        if (UniformShare is < 0 or > 1) yield return "Portfolio:UniformShare must be between 0 and 1.";
        if (SizeBandwidth is < 0 or > 10) yield return "Portfolio:SizeBandwidth must be between 0 and 10 (decades of rows; 0 turns it off).";
        if (ZeroShotRule is not (BoundRule or MarginRule or VetoRule)) yield return $"Portfolio:ZeroShotRule is \"{ZeroShotRule}\"; use {BoundRule}, {VetoRule} or {MarginRule}.";
        if (ConfidenceZ is < 0 or > 5) yield return "Portfolio:ConfidenceZ must be between 0 and 5.";
        if (MaxDownside is < 0 or > 1) yield return "Portfolio:MaxDownside must be between 0 and 1.";
        if (SizeGateDecades is < 0 or > 10) yield return "Portfolio:SizeGateDecades must be between 0 and 10 (0: no gate).";
        if (Margin is < 0 or > 0.5) yield return "Portfolio:Margin must be between 0 and 0.5.";
        if (LossAversion is < 0 or > 100) yield return "Portfolio:LossAversion must be between 0 and 100.";
        if (RaceSize is < 2 or > 16) yield return "Portfolio:RaceSize must be between 2 and 16.";
        if (RaceStrategy is not (PortfolioRace.Halving or PortfolioRace.Full)) yield return $"Portfolio:RaceStrategy is \"{RaceStrategy}\"; use {PortfolioRace.Halving} or {PortfolioRace.Full}.";
        if (FirstRung is < 1 or > 10_000) yield return "Portfolio:FirstRung must be between 1 and 10000.";
        if (Coverage is < 0.5 or > 0.99) yield return "Portfolio:Coverage must be between 0.5 and 0.99.";
    }
}
