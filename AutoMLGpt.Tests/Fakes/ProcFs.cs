namespace AutoMLGpt.Tests.Fakes;

/// <summary>Linux's <c>/proc</c>: which processes run, their parents and command lines, for tests about the processes the app starts.</summary>
public static class ProcFs
{
    // The fields after the command name, which is in parentheses and may itself hold spaces or ')': state, parent, ….
    private static string[]? StatFields(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException) { return null; } // gone
    }

    /// <summary>The process exists and has not exited (an exited child its parent has not reaped yet is a zombie, "Z").</summary>
    public static bool IsRunning(int pid) => StatFields(pid) is { } fields && fields[0] != "Z";

    public static int ParentOf(int pid) => int.Parse(StatFields(pid)![1]);

    /// <summary>Every running process with its command-line arguments.</summary>
    public static IEnumerable<(int Pid, string[] Args)> RunningWithArguments()
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string[] args;
            try { args = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0'); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            if (IsRunning(pid)) yield return (pid, args);
        }
    }

    public static async Task<bool> ExitsWithinAsync(int pid, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < until)
        {
            if (!IsRunning(pid)) return true;
            await Task.Delay(200);
        }
        return false;
    }
}
