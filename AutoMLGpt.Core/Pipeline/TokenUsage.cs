namespace AutoMLGpt.Core.Pipeline;

/// <summary>Tokens a language model reported for one call (or the sum over calls).</summary>
public sealed record TokenUsage(long Input, long Output)
{
    public static TokenUsage operator +(TokenUsage a, TokenUsage b) => new(a.Input + b.Input, a.Output + b.Output);
}
