using System.Globalization;

namespace AutoMLGpt.Web;

/// <summary>Timestamps are stored in UTC and shown as such, so every user reads the same time.</summary>
public static class Times
{
    public static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
