using Microsoft.Extensions.Logging;

namespace AutoMLGpt.Core.Hosting;

/// <summary>
/// Work started without being awaited (a run streamed into a circuit, a job followed by a page). A bare <c>_ = task</c>
/// loses its exception; this logs it and hands it to <c>onFailure</c>, which tells the user, so nothing fails silently.
/// </summary>
public static class BackgroundWork
{
    /// <summary>Starts <paramref name="work"/> and returns the task that ends when it and any failure handling have ended (tests await it).</summary>
    /// <param name="what">Names the work in the log ("run of experiment …").</param>
    /// <param name="onFailure">Surfaces the failure (an error on the page); its own failure is logged too.</param>
    public static Task Start(Func<Task> work, ILogger logger, string what, Func<Exception, Task>? onFailure = null) =>
        RunAsync(work, logger, what, onFailure);

    private static async Task RunAsync(Func<Task> work, ILogger logger, string what, Func<Exception, Task>? onFailure)
    {
        try { await work(); }
        catch (OperationCanceledException) { } // stopped by its owner: not a failure
        catch (ObjectDisposedException) { }   // its owner (a circuit) ended meanwhile
        catch (Exception ex)
        {
            logger.LogError(ex, "Background work failed: {Work}", what);
            if (onFailure is null) return;
            try { await onFailure(ex); }
            catch (Exception reporting) { logger.LogError(reporting, "Could not report the failure of {Work}", what); }
        }
    }
}
