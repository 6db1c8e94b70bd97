using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>docs/operations.md has an entry for every dashboard panel and every alert, so an operator never meets one it does not explain.</summary>
public sealed class RunbookTests
{
    private static readonly string Runbook = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "operations.md"));

    [Fact]
    public void Every_dashboard_panel_has_a_runbook_entry()
    {
        var panels = GrafanaDashboard.Queries(GrafanaDashboard.DefaultPath).Select(q => q.Panel).Distinct().ToList();
        Assert.NotEmpty(panels);
        Assert.All(panels, panel => Assert.Contains($"\n#### {panel}\n", Runbook, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_alert_has_a_runbook_entry_it_links_to()
    {
        foreach (var rule in PrometheusRulesTests.AllRules())
        {
            var alert = (string)rule["alert"]!;
            Assert.Contains($"\n#### {alert}\n", Runbook, StringComparison.Ordinal);
            Assert.Equal($"docs/operations.md#{alert.ToLowerInvariant()}", (string?)rule["annotations"]!["runbook"]);
        }
    }
}
