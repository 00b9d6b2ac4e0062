using AutoMLGpt.Core.Pipeline;
using Microsoft.Extensions.Time.Testing;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class UsageLimiterTests
{
    private static (UsageLimiter Limiter, FakeTimeProvider Clock) Create(UsageLimitOptions? options = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero));
        return (new UsageLimiter(options ?? new UsageLimitOptions(), clock), clock);
    }

    [Fact]
    public void ASessionGetsItsConcurrentRunsAndAClearRefusalBeyondThem()
    {
        var (limiter, _) = Create(new UsageLimitOptions { MaxConcurrentRunsPerSession = 2 });
        var me = Guid.NewGuid();
        var first = limiter.TryStartRun(me, false, out _);
        var second = limiter.TryStartRun(me, false, out _);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(limiter.TryStartRun(me, false, out var refusal));
        Assert.Contains("Limits:MaxConcurrentRunsPerSession", refusal);
        Assert.NotNull(limiter.TryStartRun(Guid.NewGuid(), false, out _)); // another tab is not affected

        first!.Dispose();
        first.Dispose(); // a double dispose does not free two slots
        Assert.NotNull(limiter.TryStartRun(me, false, out _));
        Assert.Null(limiter.TryStartRun(me, false, out _));
    }

    [Fact]
    public void OpeningMoreTabsDoesNotGetAroundTheAppWideCap()
    {
        var (limiter, _) = Create(new UsageLimitOptions { MaxConcurrentRuns = 3 });
        var leases = Enumerable.Range(0, 3).Select(i => limiter.TryStartRun(Guid.NewGuid(), false, out _)).ToList();
        Assert.All(leases, Assert.NotNull);
        Assert.Null(limiter.TryStartRun(Guid.NewGuid(), false, out var refusal));
        Assert.Contains("Limits:MaxConcurrentRuns", refusal);
        Assert.Equal(3, limiter.ActiveRuns);
    }

    [Fact]
    public void TokenQuotasStopLanguageModelRunsForAnHourButNotTheOfflineEngine()
    {
        var (limiter, clock) = Create(new UsageLimitOptions { MaxTokensPerSessionPerHour = 1_000, MaxTokensPerHour = 5_000 });
        var me = Guid.NewGuid();
        limiter.TryStartRun(me, true, out _)!.Dispose();
        limiter.RecordTokens(me, new TokenUsage(600, 500));

        Assert.Null(limiter.TryStartRun(me, true, out var refusal));
        Assert.Contains("1,100 language-model tokens", refusal);
        Assert.Contains("11:00 UTC", refusal); // the spending ages out an hour after it happened
        Assert.NotNull(limiter.TryStartRun(me, false, out _)); // offline costs nothing

        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.NotNull(limiter.TryStartRun(me, true, out _));
    }

    [Fact]
    public void ADenialOfWalletLoopIsServedOnlyTheAppBudget()
    {
        var (limiter, _) = Create(new UsageLimitOptions { MaxTokensPerSessionPerHour = 1_000_000, MaxTokensPerHour = 10_000, MaxConcurrentRunsPerSession = 1 });
        var served = 0;
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            var tab = Guid.NewGuid(); // a new tab every time
            using var lease = limiter.TryStartRun(tab, true, out _);
            if (lease is null) continue;
            served++;
            limiter.RecordTokens(tab, new TokenUsage(400, 100));
        }
        Assert.Equal(20, served); // 20 × 500 tokens = the 10,000 budget
    }

    [Fact]
    public void BadLimitsAreNamedAtStart()
    {
        Assert.Contains("Limits:MaxConcurrentRuns must be at least 1.", new UsageLimitOptions { MaxConcurrentRuns = 0 }.Problems());
    }
}
