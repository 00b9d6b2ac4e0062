namespace AutoMLGpt.Tests.Fakes;

/// <summary>
/// Waits for a condition another thread or process makes true, and fails loudly (naming what it waited for) when it does
/// not in time; a bare <c>for … Task.Delay</c> loop falls through silently and the test fails later, or not at all.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <param name="what">What was awaited, as the failure should say it ("the job is running").</param>
    /// <param name="describe">The state at the time-out, for the failure message (a log tail).</param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<Task<string>>? describe = null)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout)
                throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s for {what}, in vain." + (describe is null ? "" : "\n" + await describe()));
            await Task.Delay(Poll);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? describe = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, describe is null ? null : () => Task.FromResult(describe()));
}
