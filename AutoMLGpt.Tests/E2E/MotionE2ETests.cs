using Microsoft.Playwright;

namespace AutoMLGpt.Tests.E2E;

/// <summary>
/// Busy indicators stay cheap for the browser (transform-only animation, no layout per frame) and stand still for users
/// who ask their system for reduced motion.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class MotionE2ETests(AppFixture app)
{
    // The markup MudBlazor renders for an indeterminate bar and ring, measured in the app's own styles.
    private const string Probe = """
        () => {
          const host = document.createElement('div');
          host.innerHTML = `<div class="mud-progress-linear mud-progress-indeterminate horizontal" style="height:4px">
              <div class="mud-progress-linear-bars"><div class="mud-progress-linear-bar"></div><div class="mud-progress-linear-bar"></div></div></div>
            <div class="mud-progress-circular mud-progress-indeterminate"><svg class="mud-progress-circular-svg" viewBox="22 22 44 44">
              <circle class="mud-progress-circular-circle mud-progress-indeterminate" cx="44" cy="44" r="20" fill="none" stroke-width="3"></circle></svg></div>`;
          document.body.appendChild(host);
          const [first, second] = host.querySelectorAll('.mud-progress-linear-bar');
          const ring = host.querySelector('.mud-progress-circular');
          const circle = host.querySelector('circle');
          const names = el => getComputedStyle(el).animationName;
          const result = [names(first), names(second), names(ring), names(circle)];
          host.remove();
          return result;
        }
        """;

    [Fact]
    public async Task BusyIndicatorsAnimateWithTransformsAndStandStillForReducedMotion()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(app.BaseUrl + "/history");

        var normal = await page.EvaluateAsync<string[]>(Probe);
        Assert.Equal(["automlgpt-indeterminate-1", "automlgpt-indeterminate-2"], normal[..2]); // not MudBlazor's left/right keyframes
        Assert.Equal("none", normal[3]); // the ring only rotates
        Assert.NotEqual("none", normal[2]);

        await page.EmulateMediaAsync(new() { ReducedMotion = ReducedMotion.Reduce });
        Assert.All(await page.EvaluateAsync<string[]>(Probe), name => Assert.Equal("none", name));
    }
}
