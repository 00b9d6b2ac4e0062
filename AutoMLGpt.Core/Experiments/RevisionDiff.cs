using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Experiments;

public enum ChangeKind { Added, Removed, Changed }

/// <summary>One hyperparameter that differs between two revisions.</summary>
public sealed record HyperparameterChange(string Name, ChangeKind Kind, string? Before, string? After);

/// <summary>One line of a text diff: ' ' unchanged, '+' added, '-' removed.</summary>
public sealed record DiffLine(char Op, string Text);

/// <summary>How one stage's text changed: counts and the changed lines with a little context.</summary>
public sealed record StageTextChange(StageKind Stage, int Added, int Removed, IReadOnlyList<DiffLine> Lines);

/// <summary>What changed from one revision to another: the hyperparameter table row by row, the other stages line by line.</summary>
public sealed record RevisionDiff(IReadOnlyList<HyperparameterChange> Hyperparameters, IReadOnlyList<StageTextChange> Stages)
{
    public bool IsEmpty => Hyperparameters.Count == 0 && Stages.All(s => s.Added == 0 && s.Removed == 0);

    public static RevisionDiff Compare(IReadOnlyList<SavedStage> before, IReadOnlyList<SavedStage> after)
    {
        var rowsBefore = before.FirstOrDefault(s => s.Stage == StageKind.Hyperparameters)?.Output.Hyperparameters ?? [];
        var rowsAfter = after.FirstOrDefault(s => s.Stage == StageKind.Hyperparameters)?.Output.Hyperparameters ?? [];
        var hp = new List<HyperparameterChange>();
        var oldByName = rowsBefore.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First().Value);
        var newByName = rowsAfter.GroupBy(r => r.Name).ToDictionary(g => g.Key, g => g.First().Value);
        foreach (var r in rowsAfter.DistinctBy(r => r.Name))
        {
            if (!oldByName.TryGetValue(r.Name, out var old)) hp.Add(new(r.Name, ChangeKind.Added, null, r.Value));
            else if (old != r.Value) hp.Add(new(r.Name, ChangeKind.Changed, old, r.Value));
        }
        foreach (var r in rowsBefore.DistinctBy(r => r.Name).Where(r => !newByName.ContainsKey(r.Name)))
            hp.Add(new(r.Name, ChangeKind.Removed, r.Value, null));

        var stages = new List<StageTextChange>();
        foreach (var kind in StageNames.InOrder)
        {
            var a = before.FirstOrDefault(s => s.Stage == kind)?.Output.Text ?? "";
            var b = after.FirstOrDefault(s => s.Stage == kind)?.Output.Text ?? "";
            if (a == b) continue;
            var lines = Lines(a.Split('\n'), b.Split('\n'));
            stages.Add(new StageTextChange(kind, lines.Count(l => l.Op == '+'), lines.Count(l => l.Op == '-'), WithContext(lines, 2)));
        }
        return new RevisionDiff(hp, stages);
    }

    /// <summary>A line diff by longest common subsequence; texts over 3,000 lines are compared as replaced wholesale.</summary>
    public static List<DiffLine> Lines(string[] a, string[] b)
    {
        if ((long)a.Length * b.Length > 9_000_000)
            return [.. a.Select(x => new DiffLine('-', x)), .. b.Select(x => new DiffLine('+', x))];
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var result = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { result.Add(new(' ', a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) result.Add(new('-', a[x++]));
            else result.Add(new('+', b[y++]));
        }
        while (x < a.Length) result.Add(new('-', a[x++]));
        while (y < b.Length) result.Add(new('+', b[y++]));
        return result;
    }

    // Keep changed lines and a few unchanged ones around them; elide the rest.
    private static List<DiffLine> WithContext(List<DiffLine> lines, int context)
    {
        var keep = new bool[lines.Count];
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].Op != ' ')
                for (var k = Math.Max(0, i - context); k <= Math.Min(lines.Count - 1, i + context); k++) keep[k] = true;
        var result = new List<DiffLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (keep[i]) result.Add(lines[i]);
            else if (i == 0 || keep[i - 1]) result.Add(new('…', ""));
        }
        return result;
    }
}
