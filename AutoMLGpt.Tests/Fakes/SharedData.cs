using AutoMLGpt.Core.Cards;

namespace AutoMLGpt.Tests.Fakes;

/// <summary>The shared material beside the checkout (datasets, models); tests read it, the app never does.</summary>
public static class SharedData
{
    public static string Root { get; } = FindRoot();

    public static string Datasets => Path.Combine(Root, "datasets");
    public static string Models => Path.Combine(Root, "models");

    public static string Csv(string dataset) => Path.Combine(Datasets, dataset, "data.csv");
    public static DatasetCardFile Card(string dataset) => DatasetCardFile.Load(Path.Combine(Datasets, dataset, "datacard.json"));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AutoMLGpt.Web.sln")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                if (!Directory.Exists(Path.Combine(shared, "datasets")))
                    throw new DirectoryNotFoundException($"The shared datasets are expected at {shared}/datasets (beside the checkout).");
                return shared;
            }
        }
        throw new DirectoryNotFoundException("Could not find the solution folder above " + AppContext.BaseDirectory);
    }
}
