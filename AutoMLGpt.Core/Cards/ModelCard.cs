namespace AutoMLGpt.Core.Cards;

/// <summary>One architecture hyperparameter of a model card; order is kept as the user wrote it.</summary>
public sealed class CardParameter
{
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";

    public CardParameter() { }
    public CardParameter(string key, string value) { Key = key; Value = value; }
}

/// <summary>The paper's model card: which model, its structure and its architecture hyperparameters.</summary>
public sealed class ModelCard
{
    public string Name { get; set; } = "";
    public string Structure { get; set; } = "";
    public string Description { get; set; } = "";
    public List<CardParameter> Parameters { get; set; } = [];

    /// <summary>The value of an architecture hyperparameter by key (case-insensitive), or null.</summary>
    public string? Parameter(string key) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Key.Trim(), key, StringComparison.OrdinalIgnoreCase))?.Value.Trim();

    public ModelCard Clone() => new()
    {
        Name = Name, Structure = Structure, Description = Description,
        Parameters = Parameters.Select(p => new CardParameter(p.Key, p.Value)).ToList(),
    };
}

/// <summary>What the user asks for beyond the cards: extra metrics and constraints, and the hardware to run on.</summary>
public sealed class ExperimentRequest
{
    /// <summary>Free text, e.g. "inference faster than 10 FPS; report F1 too".</summary>
    public string Requests { get; set; } = "";

    /// <summary>Free text, e.g. "4 × NVIDIA A5000".</summary>
    public string Resources { get; set; } = "";

    public ExperimentRequest Clone() => (ExperimentRequest)MemberwiseClone();
}

/// <summary>Everything the user authored for one experiment.</summary>
public sealed record ExperimentCards(DataCard Data, ModelCard Model, ExperimentRequest Request)
{
    public ExperimentCards DeepCopy() => new(Data.Clone(), Model.Clone(), Request.Clone());
}
