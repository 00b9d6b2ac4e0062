namespace AutoMLGpt.Tests;

/// <summary>
/// The "Category" trait of every test class, so a part of the suite can run alone:
/// <c>dotnet test --filter Category=Fast</c> for unit and bUnit tests. The README's command runs them all.
/// </summary>
public static class TestCategory
{
    public const string Name = "Category";

    /// <summary>Unit and bUnit tests: in memory or on a temporary SQLite file; no process or browser, training at most a second or two.</summary>
    public const string Fast = "Fast";

    /// <summary>Trains LightGBM for real on the shared datasets (seconds to minutes each).</summary>
    public const string Training = "Training";

    /// <summary>Hosts the whole web app in-process (WebApplicationFactory) and talks HTTP to it.</summary>
    public const string Host = "Host";

    /// <summary>Drives Debian's Chromium through Playwright.</summary>
    public const string Browser = "Browser";

    /// <summary>Starts and kills processes: web nodes, workers, child workers, distributed ranks.</summary>
    public const string Process = "Process";

    /// <summary>Needs the PostgreSQL server that .ci/run starts (AUTOMLGPT_POSTGRES).</summary>
    public const string Database = "Database";

    /// <summary>Runs Python (pandas, scikit-learn, XGBoost, PyTorch, pyflakes) on the scripts the offline engine writes.</summary>
    public const string Python = "Python";
}
