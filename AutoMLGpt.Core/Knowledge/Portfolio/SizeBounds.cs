using System.Globalization;

namespace AutoMLGpt.Core.Knowledge.Portfolio;

/// <summary>
/// Keeps a configuration trainable on the data it will meet: a leaf's minimum rows must leave room for a few splits, a tree cannot have more leaves than the rows allow, bagging must leave enough rows, and a column
/// sample must keep at least two columns. Without this, a configuration that wins on 40,000 rows can leave a 150-row,
/// 3-class dataset with trees that never split (a single predicted class).
/// </summary>
public static class SizeBounds
{
    private static string I(double v) => Math.Round(v).ToString("0", CultureInfo.InvariantCulture);
    private static string R(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <param name="trainRows">Rows the model trains on (70% of a card's size when only the card is known).</param>
    /// <param name="classes">Classes (0 or 1 for regression); kept for callers, the bounds depend on rows and features.</param>
    public static (Dictionary<string, string> Values, List<string> Changes) Apply(IReadOnlyDictionary<string, string> values, long trainRows, int classes, int? features)
    {
        var result = new Dictionary<string, string>(values);
        var changes = new List<string>();
        var n = Math.Max(1, trainRows);
        double? Num(string key) => result.TryGetValue(key, out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

        // A tree must be able to split at least twice with room to spare: six leaves' worth of rows. (Per-class bounds
        // were tried and hurt: LightGBM's trees for each class see every row, so 20 rows a leaf suits 19 classes on 480 rows.)
        var maxMinData = Math.Max(1, Math.Floor(n / 6.0));
        var minData = Num("min_data_in_leaf") ?? 20;
        if (minData > maxMinData)
        {
            result["min_data_in_leaf"] = I(maxMinData);
            changes.Add($"min_data_in_leaf {I(minData)} → {I(maxMinData)}: {n:N0} training rows allow leaves of at most n / 6 (two splits with room to spare)");
            minData = maxMinData;
        }
        var maxLeaves = Math.Max(2, Math.Floor(n / Math.Max(1, minData)));
        if (Num("num_leaves") is { } leaves && leaves > maxLeaves)
        {
            result["num_leaves"] = I(maxLeaves);
            changes.Add($"num_leaves {I(leaves)} → {I(maxLeaves)}: no more leaves than training rows / min_data_in_leaf");
        }
        if (Num("bagging_fraction") is { } bagging && bagging < 1 && n * bagging < 200)
        {
            var floor = Math.Min(1, 200.0 / n);
            result["bagging_fraction"] = R(Math.Max(bagging, floor));
            changes.Add($"bagging_fraction {R(bagging)} → {result["bagging_fraction"]}: each bag keeps at least 200 rows (or all of them)");
        }
        if (features is > 0 and var f && Num("feature_fraction") is { } ff && ff * f < 2)
        {
            var floor = Math.Min(1, 2.0 / f);
            result["feature_fraction"] = R(floor);
            changes.Add($"feature_fraction {R(ff)} → {R(floor)}: each tree sees at least 2 of the {f} features");
        }
        return (result, changes);
    }
}
