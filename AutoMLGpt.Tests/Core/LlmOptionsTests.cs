using AutoMLGpt.Core;
using AutoMLGpt.Core.Engines.Llm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AutoMLGpt.Tests.Core;

[Trait(TestCategory.Name, TestCategory.Fast)]
public class LlmOptionsTests
{
    private static void Register(IConfiguration configuration) =>
        new ServiceCollection().AddLogging().AddAutoMLGptCore(configuration, Path.GetTempPath());

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void OfflineIsTheDefaultAndNeedsNothing()
    {
        Assert.Empty(new LlmOptions().Problems());
        Register(Config());
    }

    [Theory]
    [InlineData("Training:MaxConcurrentJobs", "0")]
    [InlineData("Portfolio:RaceSize", "40")]
    [InlineData("Portfolio:RaceStrategy", "random")]
    [InlineData("Limits:MaxConcurrentRuns", "0")]
    public void ABadSettingStopsRegistrationAndTheOptionsNamingItsKey(string key, string value)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Register(Config((key, value))));
        Assert.Contains(ex.Failures, f => f.StartsWith(key, StringComparison.Ordinal));
    }

    [Fact]
    public void OptionsAreBoundAndValidatedTheDotNetWay()
    {
        var services = new ServiceCollection().AddLogging().AddAutoMLGptCore(Config(("Portfolio:RaceSize", "6")), Path.GetTempPath());
        using var provider = services.BuildServiceProvider();
        Assert.Equal(6, provider.GetRequiredService<IOptions<AutoMLGpt.Core.Knowledge.Portfolio.PortfolioOptions>>().Value.RaceSize);
        Assert.Same(provider.GetRequiredService<IOptions<AutoMLGpt.Core.Knowledge.Portfolio.PortfolioOptions>>().Value, provider.GetRequiredService<AutoMLGpt.Core.Knowledge.Portfolio.PortfolioOptions>());
        // A value changed after registration is still caught, by the validator, with its key.
        services.Configure<AutoMLGpt.Core.TrainingJobs.TrainingOptions>(o => o.MaxUploadMegabytes = 0);
        using var changed = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => changed.GetRequiredService<IOptions<AutoMLGpt.Core.TrainingJobs.TrainingOptions>>().Value);
        Assert.Contains(ex.Failures, f => f.StartsWith("Training:MaxUploadMegabytes", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenAiWithoutAModelOrKeyFailsAtStartNamingTheKeys()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Register(Config(("Llm:Provider", "OpenAI"))));
        Assert.Contains(ex.Failures, f => f.Contains("Llm:Model"));
        Assert.Contains(ex.Failures, f => f.Contains("Llm:ApiKey"));
    }

    [Fact]
    public void AnUnknownProviderOrBadEndpointIsNamed()
    {
        var problems = new LlmOptions { Provider = "Anthropic", Model = "m", ApiKey = "k", Endpoint = "localhost:11434" }.Problems();
        Assert.Contains(problems, p => p.Contains("Llm:Provider"));
        Assert.Contains(problems, p => p.Contains("Llm:Endpoint"));
    }

    [Fact]
    public void AnApiKeyInAppSettingsIsRefused()
    {
        var folder = Directory.CreateTempSubdirectory("automlgpt-settings-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "appsettings.json"), """{ "Llm": { "Provider": "OpenAI", "Model": "m", "ApiKey": "sk-in-a-file" } }""");
            var config = new ConfigurationBuilder().SetBasePath(folder).AddJsonFile("appsettings.json").Build();
            var ex = Assert.Throws<OptionsValidationException>(() => Register(config));
            Assert.Contains(ex.Failures, f => f.Contains("appsettings.json") && f.Contains("Llm__ApiKey"));
            Assert.DoesNotContain(ex.Failures, f => f.Contains("sk-in-a-file"));

            // The same key from an environment-style source that overrides the file is fine.
            var overridden = new ConfigurationBuilder().SetBasePath(folder).AddJsonFile("appsettings.json")
                .AddInMemoryCollection([new("Llm:ApiKey", "sk-from-env")]).Build();
            Register(overridden);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void TheEndpointIsShownWithoutCredentialsOrQuery()
    {
        var options = new LlmOptions { Endpoint = "https://user:secret@example.com:8443/v1?api-key=abc" };
        Assert.Equal("https://example.com:8443/v1", options.EndpointForDisplay);
    }

    [Theory]
    [InlineData(new[] { "abc sk-canary-", "123456 def" }, "abc [redacted] def")]
    [InlineData(new[] { "sk-can", "ary-123456" }, "[redacted]")]
    [InlineData(new[] { "no secret here, sk-", "other" }, "no secret here, sk-other")]
    public void TheRedactorCatchesSecretsSplitAcrossChunks(string[] chunks, string expected)
    {
        var redactor = new SecretRedactor(["sk-canary-123456"]);
        var output = string.Concat(chunks.Select(redactor.Push)) + redactor.Flush();
        Assert.Equal(expected, output);
    }
}
