using System.Globalization;
using AutoMLGpt.Core.Pipeline;

namespace AutoMLGpt.Core.Knowledge.Catalogue;

/// <summary>One hyperparameter while a recipe is being adjusted: a number or a text value, with why it has that value.</summary>
public sealed class Hp(string name, string type, string range, string rationale)
{
    public string Name { get; } = name;
    public string Type { get; } = type;
    public string Range { get; } = range;
    public double? Number { get; set; }
    public string? Text { get; set; }
    public string Rationale { get; set; } = rationale;

    public string Display => Text ?? Format(Number ?? 0, Type);

    public static string Format(double v, string type)
    {
        if (type == "int") return Math.Round(v).ToString("0", CultureInfo.InvariantCulture);
        if (v != 0 && (Math.Abs(v) < 1e-3 || Math.Abs(v) >= 1e5))
        {
            var s = v.ToString("0.##e+0", CultureInfo.InvariantCulture).Replace("e+", "e");
            return s.Replace("e-0", "e-");
        }
        return v.ToString("0.######", CultureInfo.InvariantCulture);
    }
}

/// <summary>An ordered hyperparameter table being built: family defaults first, then the adjustments with their reasons.</summary>
public sealed class Recipe
{
    private readonly List<Hp> _items = [];
    public List<string> Notes { get; } = [];

    public IReadOnlyList<Hp> Items => _items;

    public Recipe Num(string name, double value, string type, string range, string rationale)
    {
        _items.Add(new Hp(name, type, range, rationale) { Number = value });
        return this;
    }

    public Recipe Text(string name, string value, string range, string rationale)
    {
        _items.Add(new Hp(name, "categorical", range, rationale) { Text = value });
        return this;
    }

    public Hp? this[string name] => _items.FirstOrDefault(h => h.Name == name);

    public double? NumberOf(string name) => this[name]?.Number;

    /// <summary>Sets a numeric value and appends the reason to its rationale. No-op when the family has no such hyperparameter.</summary>
    public bool Adjust(string name, double value, string reason)
    {
        if (this[name] is not { } hp) return false;
        if (hp.Number is { } old && Hp.Format(old, hp.Type) == Hp.Format(value, hp.Type)) return false;
        hp.Number = value;
        hp.Rationale = hp.Rationale.Length == 0 ? reason : $"{hp.Rationale}; {reason}";
        return true;
    }

    /// <summary>Sets a value and records the reason even when the value stays the same (e.g. how a batch is made up).</summary>
    public void Explain(string name, double value, string reason)
    {
        if (this[name] is not { } hp) return;
        hp.Number = value;
        if (reason.Length > 0) hp.Rationale = hp.Rationale.Length == 0 ? reason : $"{hp.Rationale}; {reason}";
    }

    /// <summary>Replaces a value and its whole rationale (a transferred value no longer rests on the default).</summary>
    public bool Replace(string name, double value, string rationale)
    {
        if (this[name] is not { } hp) return false;
        hp.Number = value;
        hp.Rationale = rationale;
        return true;
    }

    public bool AdjustText(string name, string value, string reason)
    {
        if (this[name] is not { } hp || hp.Text == value) return false;
        hp.Text = value;
        hp.Rationale = hp.Rationale.Length == 0 ? reason : $"{hp.Rationale}; {reason}";
        return true;
    }

    public IReadOnlyList<HyperparameterRow> ToRows() =>
        _items.Select(h => new HyperparameterRow(h.Name, h.Display, h.Type, h.Range, h.Rationale)).ToList();
}
