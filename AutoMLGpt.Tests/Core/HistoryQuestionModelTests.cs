using AutoMLGpt.Core.Engines.Llm;
using AutoMLGpt.Core.Experiments;
using AutoMLGpt.Core.Pipeline;
using AutoMLGpt.Core.Reports;
using AutoMLGpt.Tests.Fakes;
using AutoMLGpt.Web.Llm;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AutoMLGpt.Tests.Core;

/// <summary>
/// "Ask the history" through a language model (the fake OpenAI-compatible server over HTTP): the question goes with
/// the filter's JSON schema, the answer is checked field by field, and a failed or off-schema answer falls back to the
/// grammar, saying so.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class HistoryQuestionModelTests : IAsyncLifetime
{
    private static readonly DateTime Now = new(2026, 12, 2, 10, 0, 0, DateTimeKind.Utc); // a Wednesday
    private FakeOpenAiServer _server = default!;

    public async ValueTask InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();
    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private HistoryQuestionAsker Asker()
    {
        var options = new LlmOptions { Provider = "OpenAI", Model = "fake-model", Endpoint = _server.Endpoint, ApiKey = "sk-test", MaxRetries = 0, TimeoutSeconds = 10 };
        var client = new FriendlyErrorsChatClient(LlmBackend.CreateClient(options), options, Secrets.Of(options));
        return new HistoryQuestionAsker(new FakeTimeProvider(new DateTimeOffset(Now)), NullLogger<HistoryQuestionAsker>.Instance, client, options);
    }

    [Fact]
    public async Task TheModelsAnswerBecomesTheFilterAndTheRequestCarriesTheSchema()
    {
        _server.Enqueue(FakeReply.Text("""
            {"search":"bank","status":null,"engine":null,"tag":"baseline","metric":"AUC","metric_min":0.9,"metric_max":null,
             "from_date":"2026-11-30","to_date":null,"pinned_only":false,"sort":"metric","descending":true}
            """));

        var result = await Asker().AskAsync("bank datasets with AUC above 0.9 from this week tagged baseline", ["offline engine"], ["baseline"]);

        Assert.Equal("language model (fake-model)", result.Source);
        Assert.Equal(new HistoryQuery(Search: "bank", Tag: "baseline", MetricName: "AUC", MetricMin: 0.9, FromUtc: new DateTime(2026, 11, 30, 0, 0, 0, DateTimeKind.Utc), Sort: HistorySort.Metric), result.Query);
        Assert.Empty(result.Ignored);
        var request = Assert.Single(_server.Requests);
        Assert.True(request.WantsJson);
        Assert.Equal("json_schema", (string?)request.Body["response_format"]!["type"]);
        Assert.Contains("Today is 2026-12-02", request.AllText);
    }

    [Fact]
    public async Task WhatBreaksTheFiltersRulesIsDroppedAndListedNeverUsed()
    {
        _server.Enqueue(FakeReply.Text("""
            {"search":"adult","status":"deleted; DROP TABLE Experiments","engine":"gpt-9","tag":"not a tag!","metric":"accuracy","metric_min":0.87,
             "metric_max":null,"from_date":"yesterday","to_date":null,"pinned_only":true,"sort":"created","descending":true}
            """));

        var result = await Asker().AskAsync("adult runs with accuracy above 0.87", ["offline engine"], []);

        Assert.Equal(new HistoryQuery(Search: "adult", MetricName: "accuracy", MetricMin: 0.87, PinnedOnly: true), result.Query);
        Assert.Contains(result.Ignored, i => i.StartsWith("status"));
        Assert.Contains(result.Ignored, i => i.Contains("gpt-9"));
        Assert.Contains(result.Ignored, i => i.StartsWith("tag"));
        Assert.Contains(result.Ignored, i => i.StartsWith("from_date"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(200)]
    public async Task AFailedOrOffSchemaAnswerFallsBackToTheGrammarAndSaysSo(int status)
    {
        _server.Enqueue(status == 200 ? FakeReply.Text("Sure! Here are your adult runs: ...") : FakeReply.Error(status));

        var result = await Asker().AskAsync("adult runs with accuracy above 0.87", ["offline engine"], []);

        Assert.StartsWith("offline grammar (the language model did not answer usably", result.Source);
        Assert.Equal(HistoryQuestion.Parse("adult runs with accuracy above 0.87", Now).Query, result.Query);
    }

    [Fact]
    public async Task WithoutALanguageModelTheGrammarReadsIt()
    {
        var offline = new HistoryQuestionAsker(new FakeTimeProvider(new DateTimeOffset(Now)), NullLogger<HistoryQuestionAsker>.Instance);
        var result = await offline.AskAsync("failed runs tagged baseline", [], []);
        Assert.Equal(HistoryQuestion.GrammarSource, result.Source);
        Assert.Equal(RunStatus.Failed, result.Query.Status);
        Assert.Empty(_server.Requests);
    }
}
